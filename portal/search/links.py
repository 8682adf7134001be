"""Where each hit of a search leads: its record's page on the host the search ran on."""

from urllib.parse import urlencode

from django.urls import reverse

from portal.core.roles import is_alliance_staff

from .selectors import Hit, SearchResults, search_everything


def _url(kind: str, hit: Hit, *, partner_host: bool) -> str:
    if kind == "vehicles":
        return reverse("vehicles:vehicle_detail", kwargs={"vin": hit.key})
    if kind == "shipments":
        return reverse("compliance:shipment_detail", kwargs={"pk": hit.pk})
    if kind == "certificates":  # the list filtered to it: every role may read the list
        return f"{reverse('compliance:certificate_list')}?{urlencode({'number': hit.key})}"
    if kind == "models":  # the model's vehicles
        return f"{reverse('vehicles:vehicle_list')}?{urlencode({'model': hit.pk})}"
    if kind == "projects":
        return reverse("collaboration:project-detail", kwargs={"pk": hit.pk})
    if partner_host:  # a partner: its needs and offers in the market
        return f"{reverse('collaboration:market')}?{urlencode({'partner': hit.pk})}"
    return f"{reverse('staff-home')}?{urlencode({'name': hit.key})}"


def search_links_add(results: SearchResults, *, partner_host: bool) -> SearchResults:
    """Give every hit a `search_url` (reversed in the current request's URL configuration: its host's)."""
    for group in results.groups:
        for hit in group.hits:
            hit.search_url = _url(group.kind, hit, partner_host=partner_host)
    return results


def search_for(request, query: str) -> SearchResults:
    """Search what the caller may see on this host: a partner host's member its partner's records, the
    projects it takes part in and the partner directory; alliance staff on the public host partners and projects."""
    tenant = request.tenant
    partner = None if tenant.is_public else tenant
    results = search_everything(query=query, partner=partner, staff=partner is None and is_alliance_staff(request))
    return search_links_add(results, partner_host=partner is not None)
