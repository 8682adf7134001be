"""Reads of the search box: what one query finds among the records the caller may see, grouped by kind.

On a partner host the partner's own schema (vehicles, shipments, certificates, models), the projects it takes
part in and the alliance's partner directory; on the public host, for staff, partners and every project. Each kind
is one indexed query (see the indexes named below), so a search costs the same few queries whatever the data.
"""

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.db.models.functions import Reverse

from portal.collaboration.selectors import project_list_for_partner
from portal.compliance.selectors import certificate_list, shipment_list
from portal.vehicles.selectors import vehicle_list, vehicle_model_list
from tenants.models import Partner
from tenants.selectors import partner_list

MIN_LENGTH = 3  # a trigram index needs three characters to narrow anything down
VIN_SUFFIX_MIN = 6  # the last six characters of a VIN are its serial number
VIN_LENGTH = 17
MAX_LENGTH = 100
LIMIT = 10  # hits shown per kind; one more is read to know whether there are more

KINDS = ("vehicles", "shipments", "certificates", "models", "projects", "partners")


@dataclass
class Group:
    """The hits of one kind, and whether there were more than shown."""

    kind: str
    hits: list
    more: bool


@dataclass
class SearchResults:
    """What a query found; `too_short` when it was not searched at all."""

    query: str
    too_short: bool = False
    vin_too_short: bool = False
    groups: list[Group] = field(default_factory=list)
    exact_vehicle: object = None

    @property
    def total(self) -> int:
        return sum(len(group.hits) for group in self.groups)

    @property
    def vehicle_to_open(self):
        """The vehicle to go straight to: its whole VIN was typed, or it is the one thing found."""
        if self.exact_vehicle is not None:
            return self.exact_vehicle
        if len(self.groups) == 1 and self.groups[0].kind == "vehicles" and len(self.groups[0].hits) == 1:
            return self.groups[0].hits[0]
        return None


def search_query_clean(raw: str | None) -> str:
    """The query as searched: surrounding and repeated spaces removed, at most MAX_LENGTH characters."""
    return " ".join((raw or "").split())[:MAX_LENGTH]


def vin_suffix(query: str) -> str | None:
    """The query as the end of a VIN (upper-case, 6 to 17 letters and digits), or None when it cannot be one."""
    candidate = query.replace(" ", "").upper()
    if VIN_SUFFIX_MIN <= len(candidate) <= VIN_LENGTH and candidate.isascii() and candidate.isalnum():
        return candidate
    return None


def vehicle_list_by_vin_suffix(*, suffix: str) -> QuerySet:
    """Vehicles whose VIN ends with `suffix`: reverse(vin) LIKE 'reversed%' on the vehicle_vin_suffix index,
    read in that index's order (no sort)."""
    return (
        vehicle_list()
        .annotate(reversed_vin=Reverse("vin"))
        .filter(reversed_vin__startswith=suffix[::-1])
        .order_by("reversed_vin")
    )


def _group(kind: str, queryset) -> Group:
    rows = list(queryset[: LIMIT + 1])
    return Group(kind=kind, hits=rows[:LIMIT], more=len(rows) > LIMIT)


def search_everything(*, query: str, partner: Partner | None, staff: bool = False) -> SearchResults:
    """Search every kind the caller may see: `partner` is the host's partner (None on the public host), `staff`
    alliance staff on the public host. Each query runs in the connection's current schema (the host's)."""
    query = search_query_clean(query)
    results = SearchResults(query=query)
    if len(query) < MIN_LENGTH:
        results.too_short = True
        return results
    if partner is not None:
        suffix = vin_suffix(query)
        results.vin_too_short = len(query) < VIN_SUFFIX_MIN and query.isascii() and query.isalnum()
        if suffix is not None:
            vehicles = _group("vehicles", vehicle_list_by_vin_suffix(suffix=suffix))
            results.groups.append(vehicles)
            results.exact_vehicle = next((vehicle for vehicle in vehicles.hits if vehicle.vin == suffix), None)
            if results.exact_vehicle is not None:
                return results  # a whole VIN: its vehicle opens, nothing else is looked for
        results.groups += [
            # UPPER(column) LIKE UPPER('%…%'): the *_trgm GIN indexes (gin_trgm_ops on UPPER(column)).
            _group("shipments", shipment_list().filter(reference__icontains=query).order_by("reference", "id")),
            _group(
                "certificates",
                certificate_list().prefetch_related(None).filter(number__icontains=query).order_by("number", "id"),
            ),
            _group("models", vehicle_model_list().filter(name__icontains=query)),
        ]
    if partner is not None or staff:
        projects = project_list_for_partner(partner=partner, staff=staff).filter(title__icontains=query)
        results.groups.append(_group("projects", projects.order_by("-updated_at", "-id")))
        partners = partner_list().filter(name__icontains=query).order_by("name")
        results.groups.append(_group("partners", partners))
    results.groups = [group for group in results.groups if group.hits]
    return results
