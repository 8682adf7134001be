"""Pages of the vehicle registry on partner hosts: thin views over the selectors, services and the FilterSet."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, npgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.core.forms import apply_errors
from portal.core.lists import Column, columns_choose, columns_chosen, filtered, filtered_page
from portal.core.replicas import reads_may_lag
from portal.core.roles import has_role, role_required
from tenants.choices import Role

from .choices import ChangeSource
from .exports import vehicles_csv_response, vehicles_xlsx_response
from .filters import VehicleFilterSet
from .forms import VehicleModelForm, VehicleRegisterForm, VehicleRxswinForm, VehicleStatusForm
from .related import vehicle_related
from .selectors import (
    vehicle_count_estimate,
    vehicle_get,
    vehicle_history,
    vehicle_list,
    vehicle_model_get,
    vehicle_model_list,
)
from .services import (
    manual_transitions,
    market_normalise,
    vehicle_model_create,
    vehicle_model_update,
    vehicle_register,
    vehicle_rxswin_set,
    vehicle_status_change,
    vehicle_warnings,
)

PAGE_SIZE = 50
LIST_KEY = "vehicles"
# The columns a person may hide or show on the vehicle list (the VIN always shows: it is the link).
COLUMNS = [
    Column("model", gettext_lazy("Model")),
    Column("category", gettext_lazy("Category")),
    Column("production_date", gettext_lazy("Production date")),
    Column("status", gettext_lazy("Status")),
    Column("registration", gettext_lazy("Registration")),
    Column("registration_date", gettext_lazy("Registration date")),
    Column("plant", gettext_lazy("Plant"), default=False),
]


@reads_may_lag
@require_GET
def vehicle_list_view(request):
    """The vehicle list: filters (shown as removable chips), "124 of 5,310 vehicles", the columns this person
    chose, sortable headers and next / previous pages."""
    listing = filtered_page(request, VehicleFilterSet, vehicle_list(), per_page=PAGE_SIZE)
    total, exact = vehicle_count_estimate()  # the planner's estimate on huge registries: never a full COUNT(*)
    return render(
        request,
        "vehicles/vehicle_list.html",
        {
            "filterset": listing.filterset,
            "page": listing.page,
            "query": listing.query_string,
            "ordering": request.GET.get("ordering", ""),
            "total": total,
            "total_exact": exact,
            "noun": npgettext("list count", "vehicle", "vehicles", 2 if total is None else total),
            "columns": COLUMNS,
            "shown": columns_chosen(request, list_key=LIST_KEY, columns=COLUMNS),
            "can_write": has_role(request, Role.MEMBER),
            "can_manage_models": has_role(request, Role.MANAGER),
        },
    )


@require_POST
def vehicle_columns(request):
    """Remember which columns this person shows on the vehicle list (in their session), then back to the list."""
    columns_choose(request, list_key=LIST_KEY, columns=COLUMNS, chosen=request.POST.getlist("columns"))
    back = request.POST.get("next", "")
    list_url = reverse("vehicles:vehicle_list")
    if not (back.startswith(list_url) and url_has_allowed_host_and_scheme(back, allowed_hosts=None)):
        back = list_url
    return redirect(back)


@require_GET
def vehicle_export_csv(request):
    """The filtered list as CSV, streamed."""
    return vehicles_csv_response(filtered(request, VehicleFilterSet, vehicle_list()).queryset)


@require_GET
def vehicle_export_xlsx(request):
    """The filtered list as XLSX."""
    return vehicles_xlsx_response(filtered(request, VehicleFilterSet, vehicle_list()).queryset)


@require_GET
def vehicle_detail(request, vin: str):
    """One vehicle, its history (linking the imports that changed it), its shipments and its model's certificates."""
    vehicle = vehicle_get(vin=vin)
    return render(
        request,
        "vehicles/vehicle_detail.html",
        {
            "vehicle": vehicle,
            "history": vehicle_history(vehicle=vehicle),
            "related": vehicle_related(vehicle=vehicle),
            "can_write": has_role(request, Role.MEMBER) and bool(manual_transitions(vehicle.status)),
            "can_edit": has_role(request, Role.MEMBER),
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MEMBER)
def vehicle_create(request):
    """Register one vehicle."""
    default_market = market_normalise(None, partner=request.tenant)
    form = VehicleRegisterForm(request.POST or None, default_market=default_market)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            vehicle = vehicle_register(
                partner=request.tenant,
                vin=data["vin"],
                model=data["model"],
                production_date=data["production_date"],
                plant=data["plant"],
                market=data["market"],
                user=request.user,
                source=ChangeSource.WEB,
                note=data["note"],
                rxswin=data["rxswin"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Vehicle %(vin)s registered.") % {"vin": vehicle.vin})
            for warning in vehicle_warnings(partner=request.tenant, vin=vehicle.vin, market=data["market"]):
                messages.warning(request, warning.message)
            return redirect("vehicles:vehicle_detail", vin=vehicle.vin)
    return render(request, "vehicles/vehicle_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@role_required(Role.MEMBER)
def vehicle_status(request, vin: str):
    """Change a vehicle's status by hand (register, deregister); exporting is a shipment's work."""
    vehicle = vehicle_get(vin=vin)
    form = VehicleStatusForm(request.POST or None, allowed=manual_transitions(vehicle.status))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            vehicle_status_change(
                vehicle=vehicle,
                to_status=data["to_status"],
                user=request.user,
                source=ChangeSource.WEB,
                note=data["note"],
                registration_country=data["registration_country"],
                registration_region=data["registration_region"],
                plate=data["plate"],
                registration_date=data["registration_date"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Status changed."))
            return redirect("vehicles:vehicle_detail", vin=vehicle.vin)
    return render(request, "vehicles/vehicle_status_form.html", {"form": form, "vehicle": vehicle})


@require_http_methods(["GET", "POST"])
@role_required(Role.MEMBER)
def vehicle_rxswin(request, vin: str):
    """Record or change the vehicle's RXSWIN (UN R156 software identification number), e.g. after an update."""
    vehicle = vehicle_get(vin=vin)
    form = VehicleRxswinForm(request.POST or None, initial={"rxswin": vehicle.rxswin})
    if request.method == "POST" and form.is_valid():
        try:
            vehicle_rxswin_set(
                vehicle=vehicle,
                rxswin=form.cleaned_data["rxswin"],
                user=request.user,
                source=ChangeSource.WEB,
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("RXSWIN saved."))
            return redirect("vehicles:vehicle_detail", vin=vehicle.vin)
    return render(request, "vehicles/vehicle_rxswin_form.html", {"form": form, "vehicle": vehicle})


@reads_may_lag
@require_GET
def vehicle_model_list_view(request):
    """The partner's vehicle models."""
    return render(
        request,
        "vehicles/vehicle_model_list.html",
        {"models": vehicle_model_list(), "can_manage_models": has_role(request, Role.MANAGER)},
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def vehicle_model_create_view(request):
    """Add a vehicle model."""
    form = VehicleModelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            vehicle_model_create(**form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Vehicle model saved."))
            return redirect("vehicles:model_list")
    return render(request, "vehicles/vehicle_model_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def vehicle_model_update_view(request, pk: int):
    """Edit a vehicle model."""
    vehicle_model = vehicle_model_get(pk=pk)
    form = VehicleModelForm(request.POST or None, instance=vehicle_model)
    if request.method == "POST" and form.is_valid():
        try:
            vehicle_model_update(vehicle_model=vehicle_model_get(pk=pk), **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Vehicle model saved."))
            return redirect("vehicles:model_list")
    return render(request, "vehicles/vehicle_model_form.html", {"form": form, "vehicle_model": vehicle_model})
