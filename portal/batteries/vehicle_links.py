"""What the vehicle page shows of battery passports: the batteries fitted to the vehicle, now and before, linked.

Registered with the vehicles app in `BatteriesConfig.ready()` (vehicles may not import batteries).
"""

from django.db.models import F
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal.vehicles.related import RelatedGroup, RelatedLink, vehicle_related_register

SHOWN = 20


def _period(fitment) -> str:
    fitted = date_format(fitment.fitted_on, "SHORT_DATE_FORMAT")
    if fitment.removed_on is None:
        return _("fitted %(date)s") % {"date": fitted}
    removed = date_format(fitment.removed_on, "SHORT_DATE_FORMAT")
    return _("fitted %(fitted)s, removed %(removed)s") % {"fitted": fitted, "removed": removed}


def vehicle_batteries(vehicle) -> RelatedGroup:
    """The batteries fitted to the vehicle, the current one first, with whether each passport is complete."""
    from .models import BatteryFitment

    fitments = (
        BatteryFitment.objects.filter(vehicle=vehicle)
        .select_related("battery")
        .order_by(F("removed_on").desc(nulls_first=True), "-fitted_on", "-pk")[:SHOWN]  # still fitted first
    )
    links = [
        RelatedLink(
            text=fitment.battery.identifier,
            url=reverse("batteries:battery_detail", kwargs={"identifier": fitment.battery.identifier}),
            detail=f"{_period(fitment)} · "
            + (_("passport complete") if fitment.battery.complete else _("passport incomplete")),
        )
        for fitment in fitments
    ]
    return RelatedGroup("batteries", _("Batteries"), _("No battery recorded for this vehicle."), links)


def register() -> None:
    vehicle_related_register("batteries", vehicle_batteries)
