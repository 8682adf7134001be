"""Pages of export compliance on partner hosts: thin views over the selectors, services and FilterSets."""

import calendar
import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.core.forms import apply_errors, style_widgets
from portal.core.lists import filtered, filtered_page
from portal.core.replicas import reads_may_lag
from portal.core.roles import has_role, role_required
from portal.core.spreadsheets import table_csv_response, table_xlsx_response
from portal.reference.selectors import embargo_list, market_bloc_list, market_requirement_list, trade_rule_lists
from portal.vehicles.filters import VehicleFilterSet
from portal.vehicles.selectors import vehicle_list
from tenants.choices import Role

from . import dismissals as dismissal_selectors
from . import selectors
from .choices import ShipmentStatus, Verdict
from .filters import CertificateFilterSet, ShipmentFilterSet
from .forms import CertificateForm, OverrideForm, ShipmentForm, VehicleFileForm, VehicleListForm
from .freshness import screening_lists
from .models import ReleaseRequest
from .reasons import reasons_explained
from .services import certificates as certificates_services
from .services import checks as checks_services
from .services import dismissals as dismissals_services
from .services import releases as releases_services
from .services import shipments as shipments_services
from .services import vins as vins_services

PAGE_SIZE = 50
VEHICLES_SHOWN = 100
EXPORT_HEADERS = [
    "reference",
    "status",
    "verdict",
    "destination",
    "consignee",
    "consignee_country",
    "incoterm",
    "hs_code",
    "expected_arrival",
    "vehicles",
    "created_at",
]
EXPORT_FIELDS = [
    "reference",
    "status",
    "verdict",
    "destination",
    "consignee_name",
    "consignee_country",
    "incoterm",
    "hs_code",
    "expected_arrival",
    "vehicle_count",
    "created_at",
]


def _flash(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@reads_may_lag
@require_GET
def shipment_list_view(request):
    """Shipments with filters, sortable columns and next / previous pages."""
    listing = filtered_page(request, ShipmentFilterSet, selectors.shipment_list(), per_page=PAGE_SIZE)
    return render(
        request,
        "compliance/shipment_list.html",
        {
            "filterset": listing.filterset,
            "page": listing.page,
            "query": listing.query_string,
            "ordering": request.GET.get("ordering", ""),
            "can_write": has_role(request, Role.MEMBER),
        },
    )


def _export_rows(queryset):
    return queryset.values_list(*EXPORT_FIELDS).iterator(chunk_size=2000)


@require_GET
def shipment_export_csv(request):
    """The filtered shipments as CSV, streamed."""
    queryset = filtered(request, ShipmentFilterSet, selectors.shipment_list()).queryset
    return table_csv_response(headers=EXPORT_HEADERS, rows=_export_rows(queryset), name="shipments")


@require_GET
def shipment_export_xlsx(request):
    """The filtered shipments as XLSX."""
    queryset = filtered(request, ShipmentFilterSet, selectors.shipment_list()).queryset
    return table_xlsx_response(headers=EXPORT_HEADERS, rows=_export_rows(queryset), name="shipments")


@require_http_methods(["GET", "POST"])
@role_required(Role.MEMBER)
def shipment_create(request):
    """Open a shipment."""
    form = ShipmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            shipment = shipments_services.shipment_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, _("Shipment %(reference)s opened: now add its vehicles.") % {"reference": shipment.label}
            )
            return redirect("compliance:shipment_vehicles", pk=shipment.pk)
    return render(request, "compliance/shipment_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@role_required(Role.MEMBER)
def shipment_update(request, pk: int):
    """Change an open shipment."""
    shipment = selectors.shipment_get(pk=pk)
    form = ShipmentForm(request.POST or None, instance=shipment)
    if request.method == "POST" and form.is_valid():
        try:
            shipments_services.shipment_update(
                shipment=selectors.shipment_get(pk=pk), user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Shipment saved and checked again."))
            return redirect("compliance:shipment_detail", pk=pk)
    return render(request, "compliance/shipment_form.html", {"form": form, "shipment": shipment})


def _is_officer(request) -> bool:
    return request.membership.is_compliance_officer and has_role(request, Role.MEMBER)


def _with_certificate_links(reasons: list[dict]) -> list[dict]:
    """Each reason about a certificate gets the id of the certificate it names (one query)."""
    numbers = {reason["params"]["number"] for reason in reasons if reason["params"].get("number")}
    ids = selectors.certificate_ids_by_number(numbers=numbers) if numbers else {}
    return [{**reason, "certificate_id": ids.get(reason["params"].get("number"))} for reason in reasons]


def _release_context(request, shipment) -> dict:
    """Who may release the shipment, and what stands in the way: shown where the release control is."""
    check = shipment.latest_check
    pending = selectors.release_request_pending(shipment=shipment)
    officers = selectors.compliance_officers(partner=request.tenant)
    return {
        "releasable": shipment.status == ShipmentStatus.OPEN
        and check is not None
        and check.verdict != Verdict.CLEARED
        and not shipment.released,
        "four_eyes": releases_services.release_needs_second_officer(check),
        "pending_request": pending,
        "officers": officers,
        "other_officers": [m for m in officers if m.user_id != request.user.pk],
        "approvers": [m for m in officers if pending is None or m.user_id != pending.requested_by_id],
        "is_officer": _is_officer(request),
    }


@require_GET
def shipment_detail(request, pk: int):
    """A shipment and its verdict in plain words, its vehicles, checks and releases."""
    shipment = selectors.shipment_get(pk=pk)
    check = shipment.latest_check
    return render(
        request,
        "compliance/shipment_detail.html",
        {
            "shipment": shipment,
            "check": check,
            "reasons": _with_certificate_links(reasons_explained(check.reasons)) if check else [],
            "override": selectors.shipment_override_current(shipment=shipment),
            "overrides": selectors.shipment_overrides(shipment=shipment)[:20],
            "release_requests": selectors.release_requests(shipment=shipment)[:20],
            "checks": selectors.shipment_checks(shipment=shipment)[:20],
            "vehicles": selectors.shipment_vehicles(shipment=shipment)[:VEHICLES_SHOWN],
            "vehicles_shown": VEHICLES_SHOWN,
            "can_write": has_role(request, Role.MEMBER) and shipment.status == ShipmentStatus.OPEN,
            "may_ship": releases_services.shipment_may_ship(shipment=shipment),
            "override_form": OverrideForm(),
            "dismissals": dismissal_selectors.dismissals_of_shipment(shipment=shipment)[:20],
            **_release_context(request, shipment),
        },
    )


def _officer_required(request) -> None:
    if not _is_officer(request):
        raise PermissionDenied(_("Only a compliance officer may override a verdict."))


@require_POST
@role_required(Role.MEMBER)
def shipment_release(request, pk: int):
    """Release a shipment (compliance officers): the reason, then one confirmation page, then the release — or,
    for a restricted-party hit at or above the block score, the request a second officer approves."""
    _officer_required(request)
    shipment = selectors.shipment_get(pk=pk)
    form = OverrideForm(request.POST)
    if not form.is_valid() or request.POST.get("confirmed") != "yes":
        context = {"shipment": shipment, "form": form, **_release_context(request, shipment)}
        return render(request, "compliance/release_confirm.html", context)
    try:
        result = releases_services.shipment_release(
            shipment=shipment, membership=request.membership, user=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        _flash(request, error)
    else:
        if isinstance(result, ReleaseRequest):
            messages.success(request, _("Release requested: a second compliance officer must approve it."))
        else:
            messages.success(request, _("Shipment released; the reason is kept in the audit trail."))
    return redirect("compliance:shipment_detail", pk=pk)


@require_POST
@role_required(Role.MEMBER)
def release_request_decide(request, pk: int, request_pk: int, decision: str):
    """A second compliance officer approves (after one confirmation page) or declines a waiting release request."""
    _officer_required(request)
    shipment = selectors.shipment_get(pk=pk)
    release_request = selectors.release_request_get(shipment=shipment, pk=request_pk)
    if decision == "approve" and request.POST.get("confirmed") != "yes":
        context = {"shipment": shipment, "release_request": release_request, **_release_context(request, shipment)}
        return render(request, "compliance/release_approve_confirm.html", context)
    try:
        if decision == "approve":
            releases_services.release_request_approve(
                release_request=release_request, membership=request.membership, user=request.user
            )
            messages.success(request, _("Release approved: the shipment is released."))
        else:
            releases_services.release_request_decline(
                release_request=release_request,
                membership=request.membership,
                user=request.user,
                note=request.POST.get("note", ""),
            )
            messages.success(request, _("Release request closed."))
    except ValidationError as error:
        _flash(request, error)
    return redirect("compliance:shipment_detail", pk=pk)


@require_POST
@role_required(Role.MEMBER)
def screening_hit_dismiss(request, pk: int):
    """Mark a screening hit of the shipment "not the listed party" with a reason (compliance officers)."""
    _officer_required(request)
    shipment = selectors.shipment_get(pk=pk)
    entry_id = request.POST.get("entry_id", "")
    if not entry_id.isdigit():
        raise Http404
    try:
        dismissals_services.screening_hit_dismiss(
            shipment=shipment,
            entry_id=int(entry_id),
            reason=request.POST.get("reason", ""),
            user=request.user,
            membership=request.membership,
        )
    except ValidationError as error:
        _flash(request, error)
    else:
        messages.success(request, _("Hit dismissed: it is not raised again for this consignee until either changes."))
    return redirect("compliance:shipment_detail", pk=pk)


@require_POST
@role_required(Role.MEMBER)
def screening_dismissal_revoke(request, pk: int):
    """Take back a dismissed screening hit (compliance officers): the next check raises it again."""
    _officer_required(request)
    dismissal = dismissal_selectors.dismissal_get(pk=pk)
    try:
        dismissals_services.screening_dismissal_revoke(
            dismissal=dismissal, user=request.user, membership=request.membership
        )
    except ValidationError as error:
        _flash(request, error)
    else:
        messages.success(request, _("Dismissal revoked: the hit is raised again."))
    if dismissal.shipment_id:
        return redirect("compliance:shipment_detail", pk=dismissal.shipment_id)
    return redirect("compliance:shipment_list")


@require_http_methods(["GET", "POST"])
@role_required(Role.MEMBER)
def shipment_vehicles(request, pk: int):
    """Add vehicles to an open shipment: by a list of VINs, from a file, or every eligible vehicle of a filter."""
    shipment = selectors.shipment_get(pk=pk)
    list_form = VehicleListForm(request.POST if request.POST.get("mode") == "list" else None)
    file_form = (
        VehicleFileForm(request.POST or None, request.FILES or None)
        if request.POST.get("mode") == "file"
        else VehicleFileForm()
    )
    vehicle_filter = VehicleFilterSet(request.GET or None, queryset=vehicle_list())
    style_widgets(vehicle_filter.form, small=True)
    if request.method == "POST":
        try:
            result = _add(request, shipment, list_form, file_form)
        except ValidationError as error:
            form = list_form if request.POST.get("mode") == "list" else file_form
            if request.POST.get("mode") == "filter":
                _flash(request, error)
            else:
                apply_errors(form, error)
        else:
            if result is not None:
                messages.success(
                    request,
                    _("%(added)d vehicles added, %(skipped)d skipped; the shipment was checked again.")
                    % {"added": result.added, "skipped": result.skipped},
                )
                return redirect("compliance:shipment_detail", pk=pk)
    matching = vehicle_filter.qs[:1001].count() if vehicle_filter.is_bound and vehicle_filter.is_valid() else None
    return render(
        request,
        "compliance/shipment_vehicles.html",
        {
            "shipment": shipment,
            "list_form": list_form,
            "file_form": file_form,
            "vehicle_filter": vehicle_filter,
            "matching": matching,
            "filter_query": request.GET.urlencode(),
        },
    )


def _add(request, shipment, list_form, file_form):
    mode = request.POST.get("mode")
    if mode == "list" and list_form.is_valid():
        vins = vins_services.vins_from_text(list_form.cleaned_data["vins"])
        if not vins:
            raise ValidationError({"vins": _("No VIN found: a VIN has 17 letters and digits (no I, O or Q).")})
        return shipments_services.shipment_vehicles_add(shipment=shipment, vins=vins, user=request.user)
    if mode == "file" and file_form.is_valid():
        vins = vins_services.vins_from_file(file_form.cleaned_data["file"])
        if not vins:
            raise ValidationError({"file": _("No VIN found in the file.")})
        return shipments_services.shipment_vehicles_add(shipment=shipment, vins=vins, user=request.user)
    if mode == "filter":
        vehicle_filter = VehicleFilterSet(request.GET or None, queryset=vehicle_list())
        if not vehicle_filter.is_bound or not vehicle_filter.is_valid():
            raise ValidationError(_("Choose at least one filter first."))
        return shipments_services.shipment_vehicles_add_matching(
            shipment=shipment, queryset=vehicle_filter.qs, user=request.user
        )
    return None


def _remove(request, shipment):
    shipments_services.shipment_vehicles_remove(shipment=shipment, vins=request.POST.getlist("vin"), user=request.user)
    return _("Vehicles removed; the shipment was checked again.")


def _check_again(request, shipment):
    checks_services.shipment_check(shipment=shipment, user=request.user)
    return _("Checked again.")


def _ship(request, shipment):
    releases_services.shipment_ship(shipment=shipment, user=request.user)
    return _("Shipment marked shipped; its vehicles are now exported.")


def _cancel(request, shipment):
    shipments_services.shipment_cancel(shipment=shipment, user=request.user)
    return _("Shipment cancelled.")


# URL action → what it does (each returns the message shown after it).
ACTIONS = {"check": _check_again, "ship": _ship, "cancel": _cancel, "remove-vehicles": _remove}


@require_POST
@role_required(Role.MEMBER)
def shipment_action(request, pk: int, action: str):
    """The buttons of a shipment page: check again, ship, cancel, remove vehicles (releases: `shipment_release`)."""
    shipment = selectors.shipment_get(pk=pk)
    try:
        message = ACTIONS[action](request, shipment)
    except ValidationError as error:
        _flash(request, error)
    else:
        messages.success(request, message)
    return redirect("compliance:shipment_detail", pk=pk)


# --- certificates ---------------------------------------------------------------------------------------------


def _calendar(today: datetime.date, months: int = 12):
    """The next months, each with the certificates that expire in it (one query)."""
    last_month = (today.month - 1 + months - 1) % 12 + 1
    last_year = today.year + (today.month - 1 + months - 1) // 12
    end = datetime.date(last_year, last_month, calendar.monthrange(last_year, last_month)[1])
    expiring = (
        selectors.certificate_list().filter(valid_to__gte=today.replace(day=1), valid_to__lte=end).order_by("valid_to")
    )
    by_month: dict[tuple[int, int], list] = {}
    for certificate in expiring:
        by_month.setdefault((certificate.valid_to.year, certificate.valid_to.month), []).append(certificate)
    result = []
    for offset in range(months):
        year = today.year + (today.month - 1 + offset) // 12
        month = (today.month - 1 + offset) % 12 + 1
        result.append({"month": datetime.date(year, month, 1), "certificates": by_month.get((year, month), [])})
    return result


@require_GET
def certificate_list_view(request):
    """The certificate vault: filters, warnings of what expires soon, and a 12-month expiry calendar."""
    today = timezone.localdate()
    listing = filtered_page(
        request,
        CertificateFilterSet,
        selectors.certificate_list(),
        per_page=PAGE_SIZE,
        order_by=("valid_to", "number", "pk"),
    )
    horizon = max(selectors.expiry_warning_days())
    return render(
        request,
        "compliance/certificate_list.html",
        {
            "filterset": listing.filterset,
            "page": listing.page,
            "query": listing.query_string,
            "today": today,
            "expiring": list(
                selectors.certificates_expiring(within_days=horizon, today=today).order_by("valid_to")[:20]
            ),
            "horizon": horizon,
            "calendar": _calendar(today),
            "can_write": has_role(request, Role.MEMBER),
        },
    )


@require_GET
def certificate_detail(request, pk: int):
    """A certificate: its facts, its document and the shipments it affects (those carrying the models it covers)."""
    certificate = selectors.certificate_get(pk=pk)
    return render(
        request,
        "compliance/certificate_detail.html",
        {
            "certificate": certificate,
            "today": timezone.localdate(),
            "shipments": selectors.certificate_shipments(certificate=certificate)[:PAGE_SIZE],
            "shown": PAGE_SIZE,
            "can_write": has_role(request, Role.MEMBER),
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MEMBER)
def certificate_create(request):
    """Add a certificate with its document."""
    form = CertificateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            certificates_services.certificate_create(user=request.user, **data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Certificate saved."))
            return redirect("compliance:certificate_list")
    return render(request, "compliance/certificate_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@role_required(Role.MEMBER)
def certificate_update(request, pk: int):
    """Change or renew a certificate."""
    certificate = selectors.certificate_get(pk=pk)
    form = CertificateForm(request.POST or None, request.FILES or None, instance=certificate)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            certificates_services.certificate_update(
                certificate=selectors.certificate_get(pk=pk),
                vehicle_models=data.pop("vehicle_models"),
                file=data.pop("file"),
                user=request.user,
                **data,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Certificate saved."))
            return redirect("compliance:certificate_list")
    return render(request, "compliance/certificate_form.html", {"form": form, "certificate": certificate})


@require_GET
def certificate_file(request, pk: int):
    """The certificate's document, only to members of its partner (the membership middleware checked)."""
    certificate = selectors.certificate_get(pk=pk)
    if not certificate.file:
        raise Http404(_("This certificate has no document."))
    try:
        handle = certificate.file.open("rb")
    except FileNotFoundError as error:
        raise Http404(_("The file is missing.")) from error
    response = FileResponse(
        handle, as_attachment=True, filename=certificate.file_name, content_type=certificate.content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _trade_rules() -> dict:
    """The trade rule rows, each price undertaking with how many vehicles the partner shipped under it this year."""
    rules = trade_rule_lists()
    use = selectors.undertaking_use_this_year(year=timezone.localdate().year)
    for item in rules["undertakings"]:
        item.used_this_year = use.get(item.pk, 0)
    return rules


@require_GET
def rules_view(request):
    """The alliance's market requirements and embargoes, read-only."""
    return render(
        request,
        "compliance/rules.html",
        {
            "requirements": market_requirement_list(),
            "embargoes": embargo_list(),
            "blocs": market_bloc_list(),
            "screening_lists": screening_lists(today=timezone.localdate()),
            **_trade_rules(),
        },
    )
