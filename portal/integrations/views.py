"""Pages where owners and managers manage their partner's API keys."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tenants.choices import Role

from .forms import ApiKeyForm
from .selectors import api_key_list
from .services import api_key_create, api_key_revoke


def _require_manager(request) -> None:
    if not request.membership.has_role(Role.MANAGER):
        raise PermissionDenied(_("Only owners and managers manage API keys."))


def api_key_page(request):
    """List the keys; create one (its secret is shown once, on this response only)."""
    _require_manager(request)
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
def api_key_revoke_view(request, prefix: str):
    """Revoke a key of this partner; it fails on the very next request."""
    _require_manager(request)
    key = get_object_or_404(api_key_list(partner=request.tenant), prefix=prefix)
    api_key_revoke(key=key)
    messages.success(request, _("Key “%(name)s” revoked.") % {"name": key.name})
    return redirect("integrations:api-keys")
