"""Passport tools on partner hosts: a battery's QR code (SVG, PNG), QR sheets of a filtered selection (streamed),
and signed, expiring links that open the legitimate-interest or authority attributes to one reader."""

import datetime as dt
import secrets

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.audit.choices import AuditAction
from portal.audit.services import audit_record
from portal.core.forms import StyledForm
from portal.core.lists import filtered
from portal.core.roles import role_required
from tenants.choices import Role

from .choices import AccessGroup
from .filters import BatteryFilterSet
from .links import LINK_GROUPS, MAX_DAYS, link_token
from .models import Battery, PassportLink
from .qr import SHEET_LIMIT, passport_url, qr_png, qr_sheet_svg, qr_svg
from .selectors import battery_list


def _battery(identifier: str) -> Battery:
    battery = Battery.objects.filter(identifier=identifier).only("id", "identifier").first()
    if battery is None:
        raise Http404
    return battery


@require_GET
def battery_qr(request, identifier: str, fmt: str):
    """One battery's QR code, pointing to its public passport (SVG for print, PNG for documents)."""
    battery = _battery(identifier)
    if fmt == "svg":
        response = HttpResponse(qr_svg(battery.identifier), content_type="image/svg+xml")
    else:
        response = HttpResponse(qr_png(battery.identifier), content_type="image/png")
    filename = "qr-" + battery.identifier.replace("/", "_") + f".{fmt}"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    patch_cache_control(response, private=True, max_age=3600)
    return response


@require_GET
def battery_qr_sheet(request):
    """Printable A4 sheets (SVG) of the QR codes of the batteries the list's filters select, the identifier under
    each; streamed label by label. More than SHEET_LIMIT batteries: narrow the filter (nothing is cut silently)."""
    rows = filtered(request, BatteryFilterSet, battery_list())
    identifiers = list(rows.queryset.order_by("identifier").values_list("identifier", flat=True)[: SHEET_LIMIT + 1])
    if len(identifiers) > SHEET_LIMIT:
        messages.error(
            request,
            _("A QR sheet holds at most %(limit)s batteries; narrow the filter and print it in parts.")
            % {"limit": f"{SHEET_LIMIT:,}"},
        )
        return redirect(reverse("batteries:battery_list") + (f"?{request.GET.urlencode()}" if request.GET else ""))
    # The identifiers are read before streaming starts: the generator never touches the database (or a schema).
    response = StreamingHttpResponse(qr_sheet_svg(identifiers, count=len(identifiers)), content_type="image/svg+xml")
    response["Content-Disposition"] = 'inline; filename="battery-qr-sheet.svg"'
    patch_cache_control(response, private=True, no_cache=True)
    return response


class PassportLinkForm(StyledForm, forms.Form):
    """Which access group a link opens, and for how long."""

    group = forms.ChoiceField(
        label=gettext_lazy("Access group"),
        choices=[(group.value, group.label) for group in LINK_GROUPS],
        initial=AccessGroup.LEGITIMATE_INTEREST,
    )
    days = forms.IntegerField(
        label=gettext_lazy("Valid for (days)"),
        min_value=1,
        max_value=MAX_DAYS,
        initial=30,
        help_text=gettext_lazy("The link stops working after this; issue a new one when needed."),
    )
    reader = forms.CharField(
        label=gettext_lazy("Issued to"),
        max_length=200,
        help_text=gettext_lazy("Who receives the link (a recycler, a repairer, an authority), for the audit trail."),
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def battery_passport_link(request, identifier: str):
    """Issue a signed link to this battery's passport at one access group (managers and owners); audited.

    The link is shown once, on the answer to the form: it is not stored (only its id, group and expiry, in the
    audit trail).
    """
    battery = _battery(identifier)
    form = PassportLinkForm(request.POST or None)
    link = None
    if request.method == "POST" and form.is_valid():
        now = timezone.now()
        issued = PassportLink.objects.create(
            link_id=secrets.token_urlsafe(9),  # names the link in the audit trail; the token is never stored
            battery=battery,
            group=form.cleaned_data["group"],
            issued_to=form.cleaned_data["reader"],
            issued_by=request.user,
            expires_at=now + dt.timedelta(days=form.cleaned_data["days"]),
        )
        token = link_token(
            identifier=battery.identifier, group=issued.group, expires_at=issued.expires_at, link_id=issued.link_id
        )
        link = {"url": f"{passport_url(battery.identifier)}?access={token}", "expires_at": issued.expires_at}
        audit_record(
            action=AuditAction.PASSPORT_LINK_ISSUED,
            target=battery,
            details={
                "battery": battery.identifier,
                "group": issued.group,
                "expires_at": issued.expires_at.isoformat(),
                "link": issued.link_id,
                "issued_to": issued.issued_to,
            },
        )
        form = PassportLinkForm()
    context = {
        "battery": battery,
        "form": form,
        "link": link,
        "links": PassportLink.objects.filter(battery=battery).select_related("issued_by")[:100],
        "now": timezone.now(),
    }
    response = render(request, "batteries/passport_link.html", context)
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_POST
@role_required(Role.MANAGER)
def battery_passport_link_revoke(request, identifier: str, link_id: str):
    """Revoke one issued link: it stops opening the passport on its very next use (managers and owners); audited."""
    battery = _battery(identifier)
    issued = PassportLink.objects.filter(battery=battery, link_id=link_id).first()
    if issued is None:
        raise Http404
    if issued.revoked_at is None:
        issued.revoked_at = timezone.now()
        issued.save(update_fields=["revoked_at"])
        audit_record(
            action=AuditAction.PASSPORT_LINK_REVOKED,
            target=battery,
            details={"battery": battery.identifier, "group": issued.group, "link": issued.link_id},
        )
        messages.success(request, _("The passport link is revoked."))
    return redirect("passport_tools:link", identifier=battery.identifier)
