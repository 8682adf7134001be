"""Reads of the search box: what one query finds among the records the caller may see, grouped by kind.

On a partner host the partner's own schema (vehicles, shipments, certificates, models), the projects it takes
part in and the alliance's partner directory; on the public host, for staff, partners and every project. Each kind
is one indexed part (see the indexes named below) of a single UNION ALL statement: one round trip whatever the data.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import CharField, DateField, F, QuerySet, Value
from django.db.models.functions import Cast, Reverse
from django_countries import countries

from portal.collaboration.choices import Stage
from portal.collaboration.selectors import project_list_for_partner
from portal.compliance.choices import ShipmentStatus
from portal.compliance.selectors import certificate_list, shipment_list
from portal.reference.choices import Category
from portal.vehicles.choices import VehicleStatus
from portal.vehicles.selectors import vehicle_list, vehicle_model_list
from tenants.choices import PartnerKind
from tenants.models import Partner
from tenants.selectors import partner_list

MIN_LENGTH = 3  # a trigram index needs three characters to narrow anything down
VIN_SUFFIX_MIN = 6  # the last six characters of a VIN are its serial number
VIN_LENGTH = 17
MAX_LENGTH = 100
LIMIT = 10  # hits shown per kind; one more is read to know whether there are more

KINDS = ("vehicles", "shipments", "certificates", "models", "projects", "partners")


@dataclass
class Hit:
    """One record found: `key` identifies it in its page's URL (VIN, number, name), `label` names it."""

    kind: str
    pk: int
    key: str
    label: str
    details: list = field(default_factory=list)
    valid_to: datetime.date | None = None
    search_url: str = ""


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


# Every kind's matches are read as the same row shape, so that one UNION ALL statement (one round trip, one
# `SET search_path`) searches them all; each part keeps its own filter, order and limit, and so its index.
ROW = ("hit_kind", "hit_id", "hit_label", "hit_a", "hit_b", "hit_c", "hit_d")


def _rows(kind: str, queryset: QuerySet, *, label: str, a: str = "", b: str = "", c: str = "", d: str = "") -> QuerySet:
    """At most LIMIT + 1 matches of one kind as ROW: its label and up to three texts and a date to show."""

    def column(name: str):
        return F(name) if name else Value("", output_field=CharField())

    return queryset.values(
        hit_kind=Value(kind, output_field=CharField()),
        hit_id=F("pk"),
        hit_label=column(label),
        hit_a=column(a),
        hit_b=column(b),
        hit_c=column(c),
        hit_d=F(d) if d else Cast(Value(None), DateField()),
    )[: LIMIT + 1]


def _hit(row: dict) -> Hit:
    """A row of the UNION as what the page and the API show of it (choice labels in the active language)."""
    kind, pk, label, a, b, c, d = (row[name] for name in ROW)
    if kind == "vehicles":
        return Hit(kind, pk, key=label, label=label, details=[a, VehicleStatus(b).label])
    if kind == "shipments":
        details = [a, countries.name(c), ShipmentStatus(b).label]
        return Hit(kind, pk, key=label, label=label or f"#{pk}", details=details)
    if kind == "certificates":
        return Hit(kind, pk, key=label, label=f"{a} {label}", details=[b], valid_to=d)
    if kind == "models":
        return Hit(kind, pk, key=label, label=label, details=[Category(b).label])
    if kind == "projects":
        return Hit(kind, pk, key=label, label=label, details=[a, Stage(b).label])
    return Hit(kind, pk, key=label, label=label, details=[PartnerKind(b).label, countries.name(c)])


def _search(parts: list[QuerySet]) -> list[Group]:
    """Run the parts as one UNION ALL and group the rows by kind, in the parts' order (PostgreSQL appends each
    part's ordered rows in turn)."""
    if not parts:
        return []
    rows = list(parts[0].union(*parts[1:], all=True)) if len(parts) > 1 else list(parts[0])
    groups: dict[str, list[Hit]] = {}
    for row in rows:
        groups.setdefault(row["hit_kind"], []).append(_hit(row))
    return [Group(kind=kind, hits=hits[:LIMIT], more=len(hits) > LIMIT) for kind, hits in groups.items()]


def search_everything(*, query: str, partner: Partner | None, staff: bool = False) -> SearchResults:
    """Search every kind the caller may see: `partner` is the host's partner (None on the public host), `staff`
    alliance staff on the public host. One statement, in the connection's current schema (the host's): partner
    tables there, projects and partners in public (on every partner schema's search_path)."""
    query = search_query_clean(query)
    results = SearchResults(query=query)
    if len(query) < MIN_LENGTH:
        results.too_short = True
        return results
    parts = []
    if partner is not None:
        suffix = vin_suffix(query)
        results.vin_too_short = len(query) < VIN_SUFFIX_MIN and query.isascii() and query.isalnum()
        if suffix is not None:
            matching = vehicle_list_by_vin_suffix(suffix=suffix)
            vehicles = _rows("vehicles", matching, label="vin", a="model__name", b="status")
            if len(suffix) == VIN_LENGTH:  # a whole VIN: its vehicle opens, nothing else is looked for
                results.groups = _search([vehicles])
                results.exact_vehicle = next((hit for group in results.groups for hit in group.hits), None)
                if results.exact_vehicle is not None:
                    return results
            else:
                parts.append(vehicles)
        # UPPER(column) LIKE UPPER('%…%'): the *_trgm GIN indexes (gin_trgm_ops on UPPER(column)).
        parts += [
            _rows(
                "shipments",
                shipment_list().filter(reference__icontains=query).order_by("reference", "id"),
                label="reference",
                a="consignee_name",
                b="status",
                c="destination",
            ),
            _rows(
                "certificates",
                certificate_list().prefetch_related(None).filter(number__icontains=query).order_by("number", "id"),
                label="number",
                a="certificate_type__code",
                b="issuing_body",
                d="valid_to",
            ),
            _rows("models", vehicle_model_list().filter(name__icontains=query), label="name", b="category"),
        ]
    if partner is not None or staff:
        projects = project_list_for_partner(partner=partner, staff=staff).filter(title__icontains=query)
        parts.append(
            _rows("projects", projects.order_by("-updated_at", "-id"), label="title", a="owner__name", b="stage")
        )
        partners = partner_list().prefetch_related(None).filter(name__icontains=query).order_by("name")
        parts.append(_rows("partners", partners, label="name", b="kind", c="country"))
    results.groups = _search(parts)
    return results
