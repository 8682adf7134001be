"""The partner urlconf plus the floor of the API benchmark: the same rows from `.values()`, no framework."""

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.urls import path

from portal.urls_tenant import urlpatterns as tenant_urlpatterns
from portal.vehicles.models import Vehicle
from portal.vehicles.selectors import VEHICLE_ROW_FIELDS, _history_rows

# The columns the API's list returns (vehicle, its model's name and category, timestamps): the same rows.
FIELDS = list(VEHICLE_ROW_FIELDS)


@login_not_required
def bare_vehicles(request):
    """The first 100 vehicles in the list's order, as JSON, with nothing in between."""
    rows = list(Vehicle.objects.order_by("-production_date", "vin").values(*FIELDS)[:100])
    return JsonResponse({"results": rows})


@login_not_required
def bare_vehicle(request, vin):
    """One vehicle and its history (the same one query the API's detail runs, written with the ORM each time), as
    JSON, with nothing in between: no key, no rate limit, no ETag."""
    row = Vehicle.objects.annotate(history=_history_rows()).filter(vin=vin).order_by().values(*FIELDS, "history")
    return JsonResponse({"vehicle": row.get()})


urlpatterns = [
    path("bench/bare-vehicles/", bare_vehicles),
    path("bench/bare-vehicles/<str:vin>/", bare_vehicle),
    *tenant_urlpatterns,
]
