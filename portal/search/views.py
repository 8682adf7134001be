"""The search page: one box in the header, results grouped by kind; a typed VIN opens its vehicle."""

from django.shortcuts import redirect, render

from portal.core.roles import is_alliance_staff

from .selectors import MIN_LENGTH, VIN_SUFFIX_MIN, search_everything


def search(request):
    """Search what the caller may see on this host (partner hosts: members; the public host: staff)."""
    tenant = request.tenant
    partner = None if tenant.is_public else tenant
    results = search_everything(
        query=request.GET.get("q", ""), partner=partner, staff=partner is None and is_alliance_staff(request)
    )
    vehicle = results.vehicle_to_open
    if vehicle is not None:
        return redirect("vehicles:vehicle_detail", vin=vehicle.vin)
    context = {
        "results": results,
        "search_query": results.query,
        "min_length": MIN_LENGTH,
        "vin_suffix_min": VIN_SUFFIX_MIN,
    }
    return render(request, "search/results.html", context)
