"""List and filter latency of the vehicle API with 1,000,000 vehicles in one partner's schema.

One partner is provisioned and 1,000,000 vehicles are generated in its schema with a single
`INSERT … SELECT generate_series` (then ANALYZE). Timed through the Django test client, signed in as the owner,
on the partner's host (the whole stack: middleware, authentication, permission, FilterSet, cursor pagination,
serialisation):
- list: `GET /api/v1/vehicles/?page_size=100`, alternating the first page and pages reached by the cursor;
- filter: the same page size with filters that have indexes (status + country, category, VIN prefix,
  production date range, registration date ordering), taken in turn.
Floor in the same run: the bare `.values()` query of the same 100 rows (the list's first page) without HTTP,
serialisers or pagination. p99 over ITERATIONS calls each, after a warm-up. The web list page (page of 50, no
COUNT) and a 100,000-row CSV export are timed too, on their own lines.
"""

import statistics
import time

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from portal.vehicles.models import Vehicle, VehicleModel
from tenants.choices import PartnerKind, Role
from tenants.models import Membership
from tenants.services import partner_provision

ROWS = 1_000_000
ITERATIONS = 200
WARM_UP = 20
PAGE = 100
FILTERS = [
    {"status": "registered", "registration_country": "HU"},
    {"category": "L1e"},
    {"vin": "lbvjcnl00r01234"},
    {"production_date_after": "2024-03-01", "production_date_before": "2024-03-31"},
    {"status": "exported", "ordering": "-registration_date"},
    {"registration_country": "TH", "registration_region": "R7", "ordering": "vin"},
]

INSERT = """
INSERT INTO vehicles_vehicle (vin, model_id, production_date, plant, status, registration_country,
                              registration_region, plate, registration_date, created_at, updated_at)
SELECT 'LBVJCNL00R' || lpad(i::text, 7, '0'),
       (%(models)s)[1 + i %% 4],
       date '2023-01-01' + (i %% 1000),
       'Plant ' || (i %% 3),
       CASE WHEN i %% 10 < 4 THEN 'produced' WHEN i %% 10 < 7 THEN 'registered'
            WHEN i %% 10 < 9 THEN 'exported' ELSE 'deregistered' END,
       CASE WHEN i %% 10 BETWEEN 4 AND 6 THEN (ARRAY['CN', 'HU', 'TH', 'SA'])[1 + i %% 4] ELSE '' END,
       CASE WHEN i %% 10 BETWEEN 4 AND 6 THEN 'R' || (i %% 30) ELSE '' END,
       CASE WHEN i %% 10 BETWEEN 4 AND 6 THEN 'P-' || i ELSE '' END,
       CASE WHEN i %% 10 BETWEEN 4 AND 6 THEN date '2023-01-01' + (i %% 1000) + 30 END,
       now(), now()
FROM generate_series(1, %(rows)s) AS i
"""


def p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def timed(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def setup_partner():
    connection.set_schema_to_public()
    provisioned = partner_provision(
        slug="bench-vehicles", name="Bench Vehicles", kind=PartnerKind.EV_MAKER, country="CN", invite=False
    )
    partner = provisioned.partner
    user = get_user_model().objects.create_user(email="owner@bench-vehicles.example", password="bench-only-1234")
    Membership.objects.create(user=user, partner=partner, role=Role.OWNER)
    host = partner.domains.get(is_primary=True).domain
    with schema_context(partner.schema_name):
        categories = ("L1e", "L3e", "EPAC", "M1")
        models = [
            VehicleModel.objects.create(
                name=f"Bench {category}",
                category=category,
                battery_chemistry="LFP",
                battery_kwh="2.00",
                hs_code="8711.60",
            ).pk
            for category in categories
        ]
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(INSERT, {"models": models, "rows": ROWS})
            insert_s = time.perf_counter() - started
            cursor.execute("ANALYZE vehicles_vehicle")
        rows = Vehicle.objects.count()
    print(f"generated {rows} vehicles in {insert_s:.1f} s (one INSERT … SELECT generate_series, indexes included)")
    return partner, user, host, rows


def owner_client(partner) -> Client:
    """A test client on the partner's host, signed in as a (new) owner of it."""
    user = get_user_model().objects.create_user(email=f"owner-{partner.schema_name}@bench.example", password=None)
    Membership.objects.create(user=user, partner=partner, role=Role.OWNER)
    client = Client(HTTP_HOST=partner.domains.get(is_primary=True).domain)
    client.force_login(user)
    return client


def list_api_p99_ms(client: Client, *, iterations: int = ITERATIONS) -> float:
    """p99 of `GET /api/v1/vehicles/?page_size=100` (first page and cursor pages in turn), after a warm-up."""
    first = client.get("/api/v1/vehicles/", {"page_size": PAGE}).json()
    paths = [("/api/v1/vehicles/", {"page_size": PAGE}), (first["next"], None)]
    for i in range(WARM_UP):
        client.get(*paths[i % 2])
    return float(ms(p99([timed(lambda i=i: client.get(*paths[i % 2])) for i in range(iterations)])))


def run():
    partner, user, host, rows = setup_partner()
    client = Client(HTTP_HOST=host)
    client.force_login(user)

    def get(path, params=None):
        response = client.get(path, params or {})
        assert response.status_code == 200, (path, params, response.status_code, response.content[:300])
        return response

    first = get("/api/v1/vehicles/", {"page_size": PAGE}).json()
    assert len(first["results"]) == PAGE
    cursors = [first["next"]]
    for _ in range(4):  # a few pages deep, reached the way a client would
        cursors.append(get(cursors[-1]).json()["next"])

    list_paths = [("/api/v1/vehicles/", {"page_size": PAGE}), *((url, None) for url in cursors)]
    for i in range(WARM_UP):
        get(*list_paths[i % len(list_paths)])
        get("/api/v1/vehicles/", {"page_size": PAGE, **FILTERS[i % len(FILTERS)]})

    list_s = [timed(lambda i=i: get(*list_paths[i % len(list_paths)])) for i in range(ITERATIONS)]
    filter_s = [
        timed(lambda i=i: get("/api/v1/vehicles/", {"page_size": PAGE, **FILTERS[i % len(FILTERS)]}))
        for i in range(ITERATIONS)
    ]
    counts = {str(f): len(get("/api/v1/vehicles/", {"page_size": PAGE, **f}).json()["results"]) for f in FILTERS}
    print(f"rows per filtered page: {counts}")

    with schema_context(partner.schema_name):
        fields = ["vin", "model__name", "model__category", "production_date", "status", "registration_country"]

        def bare():
            return list(Vehicle.objects.order_by("-production_date", "vin").values(*fields)[:PAGE])

        for _ in range(WARM_UP):
            bare()
        bare_s = [timed(bare) for _ in range(ITERATIONS)]

    page_s = [timed(lambda i=i: get("/vehicles/", {"page": 1 + i % 5})) for i in range(ITERATIONS // 4)]
    started = time.perf_counter()
    response = client.get(
        "/vehicles/export.csv", {"production_date_after": "2024-01-01", "production_date_before": "2024-04-10"}
    )
    exported = sum(chunk.count(b"\n") for chunk in response.streaming_content) - 1
    export_s = time.perf_counter() - started

    print(
        f"list API page of {PAGE}: median {ms(statistics.median(list_s))} ms, p99 {ms(p99(list_s))} ms; "
        f"filtered: median {ms(statistics.median(filter_s))} ms, p99 {ms(p99(filter_s))} ms; "
        f"floor (bare .values() of the same {PAGE} rows): median {ms(statistics.median(bare_s))} ms, "
        f"p99 {ms(p99(bare_s))} ms"
    )
    print(
        f"web list page of 50 (next/previous, no COUNT): p99 {ms(p99(page_s))} ms; CSV export of {exported} rows "
        f"streamed in {export_s:.2f} s ({exported / export_s:,.0f} rows/s)"
    )
    print(
        f"bench vehicle-list: list_p99_ms={ms(p99(list_s))} filter_p99_ms={ms(p99(filter_s))} "
        f"bare_p99_ms={ms(p99(bare_s))} rows={rows}",
        flush=True,
    )
