"""Latency of the search box with 1,000,000 vehicles, 100,000 shipments and 50,000 projects.

One partner is provisioned; its schema gets 1,000,000 vehicles (VINs whose last six characters are a serial shared
by five model years, as real serials are), 100,000 shipments, and the public schema 50,000 projects of which the
partner takes part in one in ten; loaded with `INSERT … SELECT generate_series` (shipments with bulk_create, so
that every column gets its model default), then VACUUM ANALYZE (what
autovacuum does after a bulk load; it also merges the trigram indexes' pending lists). Timed through the Django
test client, signed in as a viewer, on the partner's host (the whole stack: middleware, session,
membership, the searches (one UNION ALL statement), the results page): `GET /search/?q=…` with
- a VIN's last six characters (5 vehicles each: the reversed-VIN index `vehicle_vin_suffix`),
- part of a shipment reference (`shipment_reference_trgm`, trigram GIN),
- part of a project title (`project_title_trgm`, and the partner's participations),
each ITERATIONS times with a different random value, after a warm-up. Prints p50 and p99 per kind and over all,
and the number of SQL queries per search (search_path switches excluded), which does not depend on the data.
Goal: p99 under 100 ms.
"""

import datetime
import json
import random
import re
import statistics
import time

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from portal.compliance.models import Shipment
from portal.vehicles.models import VehicleModel
from tenants.choices import PartnerKind, Role
from tenants.models import Membership
from tenants.services import partner_provision

VEHICLES = 1_000_000
SERIALS = 200_000  # VEHICLES / 5 model years: each last-six matches five vehicles
SHIPMENTS = 100_000
PROJECTS = 50_000
ITERATIONS = 200
WARM_UP = 20
YEARS = ["N", "P", "R", "S", "T"]
TOPICS = ["Battery swap", "Solid-state cell", "Fleet telematics", "Charging hub", "Motor controller"]

VEHICLES_SQL = """
INSERT INTO vehicles_vehicle (vin, model_id, production_date, plant, status, registration_country,
                              registration_region, plate, created_at, updated_at)
SELECT 'LBVJCNL00' || (%(years)s::text[])[1 + (i - 1) / %(serials)s] || (1 + i %% 9)::text
           || lpad(((i - 1) %% %(serials)s)::text, 6, '0'),
       (%(models)s)[1 + i %% 4], date '2022-01-01' + (i %% 1000), 'Plant ' || (i %% 3), 'produced', '', '', '',
       now(), now()
FROM generate_series(1, %(rows)s) AS i
"""
PROJECTS_SQL = """
INSERT INTO collaboration_project (owner_id, title, summary, tags, markets, budget_range, stage, stage_changed_at,
                                   version, created_at, updated_at)
SELECT %(owner)s, (%(topics)s::text[])[1 + i %% 5] || ' ' || i, '', '{}', '{}', '', 'proposed', now(), 1,
       now(), now() - make_interval(mins => i)
FROM generate_series(1, %(rows)s) AS i
"""
PARTICIPANTS_SQL = """
INSERT INTO collaboration_participant (project_id, partner_id, status, invited_at)
SELECT id, %(partner)s, 'accepted', now() FROM collaboration_project WHERE id %% 10 = 0
"""


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def shipments_load() -> None:
    """SHIPMENTS shipments through bulk_create (so every column, present or future, gets its model default)."""
    Shipment.objects.bulk_create(
        (
            Shipment(
                reference=f"SHP-{2020 + i % 6}-{i:06d}",
                destination="HU",
                consignee_name=f"Importer {i % 500}",
                consignee_country="HU",
                incoterm="DAP",
                hs_code="8711.60",
                expected_arrival=datetime.date(2026, 1, 1) + datetime.timedelta(days=i % 300),
                status="open",
                verdict="clear",
                vehicle_count=10,
            )
            for i in range(1, SHIPMENTS + 1)
        ),
        batch_size=5000,
    )


def load() -> tuple:
    """The partner, a viewer of it and its host, with every row generated."""
    connection.set_schema_to_public()
    partner = partner_provision(
        slug="bench-search", name="Bench Search", kind=PartnerKind.EV_MAKER, country="CN", invite=False
    ).partner
    user = get_user_model().objects.create_user(email="viewer@bench-search.example", password=None)
    Membership.objects.create(user=user, partner=partner, role=Role.VIEWER)
    other = partner_provision(
        slug="bench-other", name="Bench Other", kind=PartnerKind.EV_MAKER, country="CN", invite=False
    ).partner
    started = time.perf_counter()
    with connection.cursor() as cursor:  # public schema: projects owned by another partner, one in ten shared
        cursor.execute(PROJECTS_SQL, {"owner": other.pk, "topics": TOPICS, "rows": PROJECTS})
        cursor.execute(PARTICIPANTS_SQL, {"partner": partner.pk})
        cursor.execute("VACUUM ANALYZE collaboration_project, collaboration_participant")
    with schema_context(partner.schema_name):
        models = [
            VehicleModel.objects.create(
                name=f"Bench {c}", category=c, battery_chemistry="LFP", battery_kwh="2.00", hs_code="8711.60"
            ).pk
            for c in ("L1e", "L3e", "EPAC", "M1")
        ]
        with connection.cursor() as cursor:
            cursor.execute(VEHICLES_SQL, {"years": YEARS, "serials": SERIALS, "models": models, "rows": VEHICLES})
        shipments_load()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE vehicles_vehicle, compliance_shipment")
            cursor.execute("SELECT count(*) FROM vehicles_vehicle")
            vehicles = cursor.fetchone()[0]
    print(
        f"generated {vehicles} vehicles, {SHIPMENTS} shipments, {PROJECTS} projects in "
        f"{time.perf_counter() - started:.1f} s (INSERT … SELECT generate_series, indexes included)",
        flush=True,
    )
    return partner, user, partner.domains.get(is_primary=True).domain, vehicles


def queries(rng: random.Random) -> dict[str, list[str]]:
    """ITERATIONS different queries of each kind, as a person would type them."""
    return {
        "vin": [f"{rng.randrange(SERIALS):06d}" for _ in range(ITERATIONS)],
        "reference": [f"{2020 + n % 6}-{n:06d}" for n in (rng.randrange(1, SHIPMENTS + 1) for _ in range(ITERATIONS))],
        "project": [f"{TOPICS[n % 5]} {n}" for n in (rng.randrange(1, PROJECTS // 10) * 10 for _ in range(ITERATIONS))],
    }


def explain_one_search(client: Client, partner, samples: dict[str, str]) -> None:
    """The search statement of one query of each kind: its execution time (EXPLAIN ANALYZE) and the indexes used."""
    for kind, query in samples.items():
        with CaptureQueriesContext(connection) as captured:
            client.get("/search/", {"q": query})
        searched = [q["sql"] for q in captured.captured_queries if "LIKE" in q["sql"]]
        with schema_context(partner.schema_name), connection.cursor() as cursor:
            for sql in searched:
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
                plan = cursor.fetchone()[0][0]
                indexes = sorted(set(re.findall(r'"Index Name": "([^"]+)"', json.dumps(plan))))
                print(
                    f"  {kind} {query!r}: {sql.count('UNION ALL') + 1} searches in one statement, "
                    f"{plan['Execution Time']:.2f} ms, via {', '.join(indexes) or 'no index'}"
                )


def run():
    partner, user, host, vehicles = load()
    client = Client(HTTP_HOST=host)
    client.force_login(user)
    expected = {"vin": 'data-kind="vehicles"', "reference": 'data-kind="shipments"', "project": 'data-kind="projects"'}

    def search_floor() -> float:
        started = time.perf_counter()
        assert client.get("/search/").status_code == 200
        return time.perf_counter() - started

    def search(kind: str, query: str) -> float:
        started = time.perf_counter()
        response = client.get("/search/", {"q": query})
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, (query, response.status_code)
        assert expected[kind] in response.content.decode(), (kind, query)
        return elapsed

    def count_queries(query: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get("/search/", {"q": query})
        return sum(1 for q in captured.captured_queries if not q["sql"].startswith("SET search_path"))

    rng = random.Random(13)
    warm_up = queries(rng)
    counts = [count_queries(value) for values in warm_up.values() for value in values[:WARM_UP]]
    for kind, values in warm_up.items():  # untimed: caches, connections, the planner's statistics
        for value in values[:WARM_UP]:
            search(kind, value)
    timings: dict[str, list[float]] = {kind: [] for kind in warm_up}
    floor: list[float] = []
    timed = queries(rng)
    for i in range(ITERATIONS):  # kinds and floor interleaved: a busy moment of the machine weighs on all alike
        floor.append(search_floor())
        for kind, values in timed.items():
            timings[kind].append(search(kind, values[i]))
    every = [t for samples in timings.values() for t in samples]
    for kind, samples in timings.items():
        print(
            f"{kind}: p50 {ms(statistics.median(samples))} ms, p99 {ms(percentile(samples, 0.99))} ms, "
            f"max {ms(max(samples))} ms"
        )
    print(
        f"floor (the empty search page, same stack, no search): p50 {ms(statistics.median(floor))} ms, "
        f"p99 {ms(percentile(floor, 0.99))} ms"
    )
    explain_one_search(client, partner, {kind: values[0] for kind, values in queries(rng).items()})
    print(
        f"bench search: vehicles={vehicles} p50_ms={ms(statistics.median(every))} p99_ms={ms(percentile(every, 0.99))} "
        f"queries={max(counts)} floor_p50_ms={ms(statistics.median(floor))} floor_p99_ms={ms(percentile(floor, 0.99))} "
        f"vin_p99_ms={ms(percentile(timings['vin'], 0.99))} "
        f"reference_p99_ms={ms(percentile(timings['reference'], 0.99))} "
        f"project_p99_ms={ms(percentile(timings['project'], 0.99))}",
        flush=True,
    )
