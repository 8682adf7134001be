"""Battery passport pages on partner hosts: thin views over the selectors, services and the FilterSet."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import npgettext
from django.views.decorators.http import require_GET, require_http_methods

from portal.core.forms import apply_errors
from portal.core.lists import filtered_page
from portal.core.replicas import reads_may_lag
from portal.core.roles import has_role, role_required
from tenants.choices import Role

from .choices import Reader, ReadingSource
from .filters import BatteryFilterSet
from .forms import BatteryFitForm, BatteryForm, BatteryModelForm, BatteryReadingForm, values_from
from .models import Battery, BatteryModel
from .selectors import (
    battery_get,
    battery_history,
    battery_list,
    battery_model_list,
    battery_readings,
    passport_missing,
    passport_sections,
)
from .services import (
    battery_create,
    battery_fit,
    battery_model_create,
    battery_model_update,
    battery_reading_add,
    battery_update,
)

PAGE_SIZE = 50


def _battery(identifier: str) -> Battery:
    try:
        return battery_get(identifier=identifier)
    except Battery.DoesNotExist:
        raise Http404 from None


def _battery_model(pk: int) -> BatteryModel:
    try:
        return battery_model_list().get(pk=pk)
    except BatteryModel.DoesNotExist:
        raise Http404 from None


@reads_may_lag
@require_GET
def battery_list_view(request):
    """The battery list: filters (removable chips), "12 of 340 batteries", next / previous pages."""
    listing = filtered_page(request, BatteryFilterSet, battery_list(), per_page=PAGE_SIZE)
    return render(
        request,
        "batteries/battery_list.html",
        {
            "filterset": listing.filterset,
            "page": listing.page,
            "query": listing.query_string,
            "noun": npgettext("list count", "battery", "batteries", 2),
            "can_write": has_role(request, Role.MEMBER),
        },
    )


@require_GET
def battery_detail(request, identifier: str):
    """One battery's passport as each reader sees it (public, legitimate interest, authority), what it lacks."""
    battery = _battery(identifier)
    return render(
        request,
        "batteries/battery_detail.html",
        {
            "battery": battery,
            "sections": [
                (Reader(reader).label, reader, entries) for reader, entries in passport_sections(battery=battery)
            ],
            "missing": passport_missing(battery),
            "fitments": battery.fitments.all(),
            "readings": battery_readings(battery=battery)[:20],
            "can_write": has_role(request, Role.MEMBER),
        },
    )


@require_GET
def battery_history_view(request, identifier: str):
    """Everything that happened to a battery: changes of its record, fitments and readings."""
    battery = _battery(identifier)
    return render(
        request,
        "batteries/battery_history.html",
        {
            "battery": battery,
            "changes": battery_history(battery=battery),
            "fitments": battery.fitments.all(),
            "readings": battery_readings(battery=battery)[:200],
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MEMBER)
def battery_create_view(request):
    """Add one battery and its passport."""
    form = BatteryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            battery = battery_create(
                partner=request.tenant,
                identifier=data["identifier"],
                battery_model=data["battery_model"],
                status=data["status"],
                vin=data["vin"],
                fitted_on=data["fitted_on"],
                values=values_from(form),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Battery %(identifier)s added.") % {"identifier": battery.identifier})
            return redirect("batteries:battery_detail", identifier=battery.identifier)
    return render(request, "batteries/battery_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@role_required(Role.MEMBER)
def battery_update_view(request, identifier: str):
    """Edit a battery's identifier, model, status and its own passport values."""
    battery = _battery(identifier)
    form = BatteryForm(request.POST or None, battery=battery)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            battery = battery_update(
                battery=battery,
                partner=request.tenant,
                identifier=data["identifier"],
                battery_model=data["battery_model"],
                status=data["status"],
                values=values_from(form),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Battery saved."))
            return redirect("batteries:battery_detail", identifier=battery.identifier)
    return render(request, "batteries/battery_form.html", {"form": form, "battery": battery})


@require_http_methods(["GET", "POST"])
@role_required(Role.MEMBER)
def battery_fit_view(request, identifier: str):
    """Fit the battery to a vehicle (a replacement keeps the earlier fitment in the history)."""
    battery = _battery(identifier)
    form = BatteryFitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            battery_fit(battery=battery, vin=form.cleaned_data["vin"], fitted_on=form.cleaned_data["fitted_on"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Battery fitted."))
            return redirect("batteries:battery_detail", identifier=battery.identifier)
    return render(request, "batteries/battery_fit_form.html", {"form": form, "battery": battery})


@require_http_methods(["GET", "POST"])
@role_required(Role.MEMBER)
def battery_reading_view(request, identifier: str):
    """Record a reading (state of health, fade, cycles, throughput, a negative event)."""
    battery = _battery(identifier)
    form = BatteryReadingForm(request.POST or None, initial={"source": ReadingSource.MANUAL})
    if request.method == "POST" and form.is_valid():
        try:
            battery_reading_add(battery=battery, partner=request.tenant, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Reading recorded."))
            return redirect("batteries:battery_detail", identifier=battery.identifier)
    return render(request, "batteries/battery_reading_form.html", {"form": form, "battery": battery})


@require_GET
def battery_model_list_view(request):
    """The partner's battery models."""
    return render(
        request,
        "batteries/battery_model_list.html",
        {"models": battery_model_list().order_by("code"), "can_manage": has_role(request, Role.MANAGER)},
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def battery_model_create_view(request):
    """Add a battery model with its static passport values."""
    form = BatteryModelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            battery_model_create(
                code=data["code"],
                name=data["name"],
                category=data["category"],
                chemistry=data["chemistry"],
                values=values_from(form),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Battery model saved."))
            return redirect("batteries:model_list")
    return render(request, "batteries/battery_model_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def battery_model_update_view(request, pk: int):
    """Edit a battery model; its batteries' completeness follows."""
    battery_model = _battery_model(pk)
    form = BatteryModelForm(request.POST or None, battery_model=battery_model)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            battery_model_update(
                battery_model=battery_model,
                partner=request.tenant,
                name=data["name"],
                category=data["category"],
                chemistry=data["chemistry"],
                values=values_from(form),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Battery model saved."))
            return redirect("batteries:model_list")
    return render(request, "batteries/battery_model_form.html", {"form": form, "battery_model": battery_model})
