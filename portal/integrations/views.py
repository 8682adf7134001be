"""Pages where owners and managers manage their partner's API keys and webhook endpoints."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.core.forms import apply_errors
from portal.core.roles import role_required
from tenants.choices import Role

from .forms import ApiKeyForm, WebhookEndpointForm
from .selectors import api_key_list
from .services import api_key_create, api_key_revoke
from .webhooks import (
    webhook_delivery_list,
    webhook_delivery_resend,
    webhook_endpoint_create,
    webhook_endpoint_list,
    webhook_endpoint_update,
)


@role_required(Role.MANAGER)
def api_key_page(request):
    """List the keys; create one (its secret is shown once, on this response only)."""
    form = ApiKeyForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        key, secret = api_key_create(partner=request.tenant, created_by=request.user, **form.cleaned_data)
        messages.success(request, _("Key “%(name)s” created. Copy it now: it is not shown again.") % {"name": key.name})
        form = ApiKeyForm()
    return render(
        request,
        "integrations/api_keys.html",
        {"form": form, "keys": api_key_list(partner=request.tenant), "secret": secret},
    )


@require_POST
@role_required(Role.MANAGER)
def api_key_revoke_view(request, prefix: str):
    """Revoke a key of this partner after one confirmation page; it fails on the very next request."""
    key = get_object_or_404(api_key_list(partner=request.tenant), prefix=prefix)
    if request.POST.get("confirmed") != "yes":
        return render(request, "integrations/api_key_revoke_confirm.html", {"key": key})
    api_key_revoke(key=key)
    messages.success(request, _("Key “%(name)s” revoked.") % {"name": key.name})
    return redirect("integrations:api-keys")


@role_required(Role.MANAGER)
def webhook_page(request):
    """List the endpoints and their latest deliveries; register one (its signing secret is shown once)."""
    form = WebhookEndpointForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = webhook_endpoint_create(partner=request.tenant, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            secret = endpoint.secret
            messages.success(request, _("Endpoint registered. Copy its signing secret now: it is not shown again."))
            form = WebhookEndpointForm()
    deliveries = Paginator(webhook_delivery_list(partner=request.tenant), 25).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "secret": secret,
        "endpoints": webhook_endpoint_list(partner=request.tenant),
        "page": deliveries,
    }
    return render(request, "integrations/webhooks.html", context)


@require_POST
@role_required(Role.MANAGER)
def webhook_toggle_view(request, pk: int):
    """Disable an endpoint, or enable it again (its failure count starts afresh)."""
    endpoint = get_object_or_404(webhook_endpoint_list(partner=request.tenant), pk=pk)
    webhook_endpoint_update(endpoint=endpoint, is_active=not endpoint.is_active)
    if endpoint.is_active:
        messages.success(request, _("Endpoint %(url)s enabled.") % {"url": endpoint.url})
    else:
        messages.success(request, _("Endpoint %(url)s disabled.") % {"url": endpoint.url})
    return redirect("integrations:webhooks")


@require_POST
@role_required(Role.MANAGER)
def webhook_delete_view(request, pk: int):
    """Delete an endpoint and its delivery log."""
    endpoint = get_object_or_404(webhook_endpoint_list(partner=request.tenant), pk=pk)
    endpoint.delete()
    messages.success(request, _("Endpoint %(url)s deleted.") % {"url": endpoint.url})
    return redirect("integrations:webhooks")


@require_POST
@role_required(Role.MANAGER)
def webhook_delivery_resend_view(request, pk):
    """Send one delivery again (a new series of attempts)."""
    delivery = get_object_or_404(webhook_delivery_list(partner=request.tenant), pk=pk)
    webhook_delivery_resend(delivery=delivery)
    messages.success(request, _("The delivery is queued again."))
    return redirect("integrations:webhooks")
