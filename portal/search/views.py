"""The search page: one box in the header, results grouped by kind; a typed VIN opens its vehicle."""

from django.shortcuts import redirect, render

from .links import search_for
from .selectors import MIN_LENGTH, VIN_SUFFIX_MIN


def search(request):
    """Search what the caller may see on this host (partner hosts: members; the public host: staff)."""
    results = search_for(request, request.GET.get("q", ""))
    vehicle = results.vehicle_to_open
    if vehicle is not None:
        return redirect(vehicle.search_url)
    context = {
        "results": results,
        "search_query": results.query,
        "min_length": MIN_LENGTH,
        "vin_suffix_min": VIN_SUFFIX_MIN,
    }
    return render(request, "search/results.html", context)
