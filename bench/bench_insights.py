"""Industry statistics at scale: a full recompute against its floor, an incremental run, the dashboards.

Set-up (not timed): INSIGHTS_BENCH_PARTNERS partners (default 100) provisioned through `partner_provision`,
each with 4 vehicle models and its share of INSIGHTS_BENCH_VEHICLES vehicles (default 10,000,000 in all;
partner sizes run linearly from 0.5× to 1.5× the mean, so the cost per row and per partner can be told apart),
generated with one `INSERT … SELECT generate_series` per schema: production dates over the 36 months before this
one, 60 % registered in one of 8 countries. Every partner has 12 supply reports; every third has 3
certificates; every fourth 2 shipped shipments of 50 vehicles, one with a blocked check. Then VACUUM ANALYZE
and the change-capture marks the generation left are cleared.

Figures:
- `full_s`: `pipeline.run_inline(kind="full")`: every partner's facts in its schema, one after another on one
  connection, then the combine (cells with disclosure control, risk warnings).
- `floor_s`: the same vehicle aggregates (production by month × category, registrations by month × category ×
  country, per partner; one `GROUPING SETS` scan per schema, the best hand-written form) by one `UNION ALL` over
  the schemas, ≤100 schemas per statement, read
  into Python, with JIT off (see `floor_rows`): the same work with no pipeline at all (the lowest of three runs
  after a warm-up). `ratio` = full_s / floor_s (goal ≤ 1.5). Also `floor_serial_s` (the floor with no parallel
  workers, as one pipeline connection runs) and `full_<n>w_s`: the full run with the partners computed on n
  threads with their own connections, as n Celery workers would.
- `incremental_s`: `run_inline(kind="incremental")` after 100 vehicles are added to one month of one partner
  (goal < 1 s).
- `dashboard_ms`: the slower median (20 requests after a warm-up, test client, server time) of the staff
  dashboard (public host) and the partner dashboard (partner host), URL `insights:dashboard` (/statistics/), the
  default selection and registrations by country in turn; when those pages do not answer,
  `selectors.table_get` (24 months) + `target_progress` is timed instead (`dashboard_source=selectors`).
- Change capture: an INSERT and an UPDATE of 100,000 vehicles with the statement triggers and without
  (`capture_insert_pct`, `capture_update_pct`: what the triggers add), and what they add to a one-row UPDATE
  (`capture_row_ms`), all rolled back.
- The scaling simulation for docs/scaling.md: each partner's `partner_compute` in the full run against its rows
  (least squares: `per_partner_ms` fixed cost, `per_million_rows_s`), and the combine step alone over the facts
  of a quarter, half and all of the partners (`combine_<n>_ms`, in a transaction rolled back).

INSIGHTS_BENCH_PARTNERS=20 INSIGHTS_BENCH_VEHICLES=200000 makes a quick run (about 20 s); the default
scale takes about 5.5 minutes on 2 cores, 3.5 of them set-up.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import itertools
import os
import statistics
import threading
import time
from unittest import mock

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import schema_context
from psycopg import sql

from portal.compliance.models import Certificate, Shipment, ShipmentCheck
from portal.core.months import last_complete_month, month_add
from portal.insights import pipeline, selectors
from portal.insights.capture.models import Mark
from portal.insights.choices import RunKind
from portal.insights.measures import MEASURES, PARTNER_MEASURES
from portal.insights.models import Fact
from portal.insights.risks import warnings_rebuild
from portal.reference.models import CertificateType
from portal.vehicles.models import VehicleModel
from tenants.choices import PartnerKind, Role
from tenants.models import Membership
from tenants.services import partner_provision

PARTNERS = int(os.environ.get("INSIGHTS_BENCH_PARTNERS", "100"))
VEHICLES = int(os.environ.get("INSIGHTS_BENCH_VEHICLES", "10000000"))
BATCH = 100  # schemas per floor statement (TENANCY.md: more runs out of max_locks_per_transaction)
MONTHS = 36
DASHBOARD_RUNS = 20
WARM_UP = 5
CAPTURE_ROWS = 100_000
CAPTURE_SINGLE = 50
GOAL_RATIO = 1.5
GOAL_INCREMENTAL_S = 1.0
GOAL_DASHBOARD_MS = 50

CATEGORIES = ["EPAC", "L1e", "L3e", "L5e", "L6e", "M1"]
COUNTRIES = ["CN", "HU", "TH", "SA", "VN", "ID", "AE", "DE"]
KINDS = [PartnerKind.EV_MAKER, PartnerKind.E_MOTORCYCLE_MAKER, PartnerKind.E_BIKE_MAKER, PartnerKind.BATTERY_MAKER]
PARTNER_COUNTRIES = ["CN", "HU", "TH", "SA", "MY"]

VEHICLES_SQL = """
INSERT INTO vehicles_vehicle (vin, model_id, production_date, plant, status, registration_country,
                              registration_region, plate, registration_date, created_at, updated_at)
SELECT %(prefix)s || lpad(i::text, 11, '0'),
       (%(models)s::int[])[1 + i %% 4],
       %(start)s::date + (i %% %(days)s),
       'Plant ' || (i %% 3),
       CASE WHEN i %% 10 < 6 THEN 'registered' ELSE 'produced' END,
       CASE WHEN i %% 10 < 6 THEN (%(countries)s::text[])[1 + (i / 10) %% 8] ELSE '' END,
       CASE WHEN i %% 10 < 6 THEN 'R' || (i %% 30) ELSE '' END,
       '',
       CASE WHEN i %% 10 < 6 THEN least(%(start)s::date + (i %% %(days)s) + 10 + (i %% 40), %(end)s::date - 1) END,
       now(), now()
FROM generate_series(1, %(rows)s) AS i
"""
SUPPLY_SQL = """
INSERT INTO supply_supplyreport (month, total_value, local_value, currency, note, updated_at)
SELECT (%(first)s::date + make_interval(months => k))::date, 1000000 + 1000 * k + %(n)s, 400000 + 700 * k, 'CNY', '',
       now()
FROM generate_series(0, 11) AS k
"""
ITEMS_SQL = """
INSERT INTO compliance_shipmentvehicle (shipment_id, vehicle_id, added_at)
SELECT %(shipment)s, id, now() FROM vehicles_vehicle ORDER BY id OFFSET %(offset)s LIMIT 50
"""
# The floor: the vehicle measures of every partner, with no pipeline (no facts, cells, runs or disclosure).
# The best hand-written form of the same work: one scan per schema with both groupings (as the pipeline does).
FLOOR_PART = """
SELECT {partner}, CASE WHEN GROUPING(x.produced) = 0 THEN 'production' ELSE 'registrations' END,
       COALESCE(x.produced, x.registered), x.category, COALESCE(x.country, ''), count(*)
FROM (
    SELECT date_trunc('month', v.production_date::timestamp)::date AS produced,
           CASE WHEN v.registration_country <> ''
                THEN date_trunc('month', v.registration_date::timestamp)::date END AS registered,
           m.category, v.registration_country AS country
    FROM {schema}.vehicles_vehicle v JOIN {schema}.vehicles_vehiclemodel m ON m.id = v.model_id
) AS x
GROUP BY GROUPING SETS ((x.produced, x.category), (x.registered, x.category, x.country))
HAVING GROUPING(x.produced) = 0 OR x.registered IS NOT NULL
"""


def _marks() -> list[tuple]:
    """(schema, source, month) of every partner's pending change-capture marks (each schema keeps its own)."""
    from tenants.models import Partner

    found = []
    for schema in Partner.objects.members().values_list("schema_name", flat=True):
        with schema_context(schema):
            found += [(schema, *mark) for mark in Mark.objects.values_list("source", "month")]
    return found


def timed(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def partner_sizes() -> list[int]:
    """Vehicles per partner: from 0.5× to 1.5× the mean, adding up to VEHICLES."""
    weights = [0.5 + (i / (PARTNERS - 1) if PARTNERS > 1 else 0.5) for i in range(PARTNERS)]
    sizes = [int(VEHICLES * weight / sum(weights)) for weight in weights]
    sizes[-1] += VEHICLES - sum(sizes)
    return sizes


def months_window() -> tuple[datetime.date, datetime.date]:
    """The first day of the 36 months before this one, and the first day of this month."""
    end = month_add(last_complete_month(timezone.localdate()), 1)
    return month_add(end, -MONTHS), end


def populate(index: int, partner, rows: int, start: datetime.date, end: datetime.date) -> None:
    """One partner's models, vehicles, supply reports, and for some certificates and shipments (set-based SQL)."""
    with schema_context(partner.schema_name):
        models = [
            VehicleModel.objects.create(
                name=f"Bench {category}",
                category=category,
                battery_chemistry="LFP",
                battery_kwh="2.00",
                hs_code="8711.60",
            )
            for category in (CATEGORIES[(index + k) % len(CATEGORIES)] for k in range(4))
        ]
        params = {
            "prefix": f"LB{index:03d}X",
            "models": [model.pk for model in models],
            "start": start,
            "end": end,
            "days": (end - start).days,
            "countries": COUNTRIES,
            "rows": rows,
        }
        with connection.cursor() as cursor:
            cursor.execute(VEHICLES_SQL, params)
            cursor.execute(SUPPLY_SQL, {"first": month_add(end, -12), "n": index})
        if index % 3 == 0:
            types = list(CertificateType.objects.order_by("pk")[:3])
            for k, certificate_type in enumerate(types):
                certificate = Certificate.objects.create(
                    certificate_type=certificate_type,
                    number=f"BENCH-{index}-{k}",
                    issuing_body="Bench lab",
                    valid_from=start,
                    valid_to=month_add(end, 1 + k + index % 5) + datetime.timedelta(days=9),
                )
                certificate.vehicle_models.set(models)
        if index % 4 == 0:
            for k, destination in enumerate(("HU", "SA")):
                shipped_at = timezone.make_aware(datetime.datetime.combine(month_add(end, -1 - k), datetime.time(9)))
                shipment = Shipment.objects.create(
                    reference=f"BENCH-{index}-{k}",
                    destination=destination,
                    consignee_name="Bench consignee",
                    consignee_country=destination,
                    incoterm="DAP",
                    hs_code="8711.60",
                    expected_arrival=end,
                    status="shipped",
                    shipped_at=shipped_at,
                    vehicle_count=50,
                )
                with connection.cursor() as cursor:
                    cursor.execute(ITEMS_SQL, {"shipment": shipment.pk, "offset": 50 * k})
            ShipmentCheck.objects.create(
                shipment=shipment,
                verdict="blocked",
                reasons=[{"code": "screening_hit", "severity": "block"}],
                rules_version=1,
                screening_version=1,
                checked_on=end,
                expected_arrival=end,
                destination="SA",
                consignee_name="Bench consignee",
                vehicle_count=50,
            )


def set_up() -> tuple[list, list[int]]:
    """Provision and fill the partners; return them (in order) and their vehicle counts."""
    connection.set_schema_to_public()
    start, end = months_window()
    sizes = partner_sizes()
    partners = []
    provision_s = generate_s = 0.0
    for index, rows in enumerate(sizes):
        connection.close()  # a new connection per partner, as in bench_provisioning (clone functions pile up)
        started = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):  # migrate_schemas --fake prints per partner
            partner = partner_provision(
                name=f"Bench Insights {index:03d}",
                slug=f"bench-insights-{index:03d}",
                kind=KINDS[index % len(KINDS)],
                country=PARTNER_COUNTRIES[index % len(PARTNER_COUNTRIES)],
                invite=False,
            ).partner
        provision_s += time.perf_counter() - started
        generate_s += timed(lambda index=index, partner=partner, rows=rows: populate(index, partner, rows, start, end))
        partners.append(partner)
    connection.set_schema_to_public()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for partner in partners:
            for table in ("vehicles_vehicle", "vehicles_vehiclemodel", "supply_supplyreport"):
                statement = sql.SQL("VACUUM ANALYZE {}.{}").format(
                    sql.Identifier(partner.schema_name), sql.Identifier(table)
                )
                cursor.execute(statement.as_string(cursor.connection))
        cursor.execute("ANALYZE")
    vacuum_s = time.perf_counter() - started
    marks = 0
    for partner in partners:
        with schema_context(partner.schema_name):
            marks += Mark.objects.all().delete()[0]
    print(
        f"set-up: {PARTNERS} partners provisioned in {provision_s:.1f} s; {sum(sizes):,} vehicles "
        f"({min(sizes):,}–{max(sizes):,} per partner) and the rest generated in {generate_s:.1f} s; "
        f"VACUUM ANALYZE {vacuum_s:.1f} s; {marks} change-capture marks cleared",
        flush=True,
    )
    return partners, sizes


def floor_rows(partners) -> list[tuple]:
    """The vehicle aggregates of every partner by hand-written SQL, ≤ BATCH schemas per statement."""
    rows: list[tuple] = []
    with transaction.atomic(), connection.cursor() as cursor:
        # A statement over 100 schemas costs far above jit_above_cost: PostgreSQL would spend ~40 s compiling
        # its 200 aggregates with LLVM (measured: 8.5 s for 5 schemas) before reading a row.
        cursor.execute("SET LOCAL jit = off")
        for first in range(0, len(partners), BATCH):
            parts = [
                sql.SQL(FLOOR_PART).format(partner=sql.Literal(partner.pk), schema=sql.Identifier(partner.schema_name))
                for partner in partners[first : first + BATCH]
            ]
            cursor.execute(sql.SQL(" UNION ALL ").join(parts).as_string(cursor.connection))
            rows.extend(cursor.fetchall())
    return rows


def floor_serial_s(partners) -> float:
    """The floor on one core (no parallel workers), as the pipeline's queries run on one connection."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        return timed(lambda: floor_rows(partners))


def full_on_workers_s(workers: int) -> float:
    """A full run with the partners computed by `workers` threads, each on its own connection (as Celery
    workers would be), then the combine: what `run_inline` leaves on the table by computing one partner at a time.
    """
    started = time.perf_counter()
    run = pipeline.run_start(kind=RunKind.FULL, queue=False)
    parts = list(run.parts.values_list("partner_id", "partner__schema_name"))

    pending = iter(parts)
    lock = threading.Lock()

    def worker():
        try:
            while True:
                with lock:
                    part = next(pending, None)
                if part is None:
                    return
                with schema_context(part[1]):
                    pipeline.partner_compute(run_id=run.pk, partner_id=part[0], queue=False)
        finally:
            connection.close()  # this thread's own connection, kept for all its partners

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    pipeline.part_finished(run_id=run.pk, queue=False)
    run = pipeline.run_combine(run_id=run.pk)
    assert run.status == "finished" and run.partners_done == len(parts), (run.status, run.partners_done)
    return time.perf_counter() - started


def check_floor_matches_facts(rows: list[tuple]) -> None:
    """The floor computes the same figures as the pipeline (else the comparison means nothing)."""
    floor: dict[tuple, int] = {}
    for partner_id, measure, *_dims, value in rows:
        floor[(partner_id, measure)] = floor.get((partner_id, measure), 0) + value
    facts = Fact.objects.filter(measure__in=["production", "registrations"]).order_by()
    piped = {
        (partner_id, measure): int(total)
        for partner_id, measure, total in facts.values_list("partner_id", "measure").annotate(total=Sum("value"))
    }
    assert floor == piped, "the floor and the pipeline disagree on the vehicle measures"
    fact_rows = Fact.objects.filter(measure__in=["production", "registrations"]).count()
    assert fact_rows == len(rows), (fact_rows, len(rows))


class Stopwatch:
    """Times each call of a pipeline function during run_inline (the module global it calls)."""

    def __init__(self, name: str):
        self.name, self.calls = name, []
        original = getattr(pipeline, name)

        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.calls.append((kwargs, time.perf_counter() - started))

        self.patch = mock.patch.object(pipeline, name, wrapper)

    def __enter__(self):
        self.patch.start()
        return self

    def __exit__(self, *exc):
        self.patch.stop()


def least_squares(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """Intercept and slope of the straight line through the points."""
    if len(set(xs)) < 2:
        return statistics.mean(ys), 0.0
    slope, intercept = statistics.linear_regression(xs, ys)
    return intercept, slope


def combine_only_s(partner_ids: list[int]) -> float:
    """The combine step (cells with disclosure, risk warnings) over the facts of these partners only."""
    codes = [measure.code for measure in PARTNER_MEASURES]
    with transaction.atomic():
        Fact.objects.exclude(partner_id__in=partner_ids).exclude(measure="project_stage_entries").delete()
        started = time.perf_counter()
        pipeline.cells_rebuild(periods=None, measures=codes)
        warnings_rebuild()
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds


def capture_cost(partner, rows: int = CAPTURE_ROWS) -> dict:
    """What change capture adds to writes, triggers on against off: an INSERT and an UPDATE of `rows` vehicles,
    and single-row UPDATEs as the web pages make them. Every write is rolled back, and the table vacuumed before
    each round so the dead rows of one round do not slow the next; rounds alternate on/off, the best is kept."""
    start, end = months_window()
    params = {
        "prefix": "LB998Z",
        "start": start,
        "end": end,
        "days": (end - start).days,
        "countries": COUNTRIES,
        "rows": rows,
    }
    best: dict = {}
    with schema_context(partner.schema_name):
        params["models"] = list(VehicleModel.objects.values_list("pk", flat=True)[:4])
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM vehicles_vehicle ORDER BY id LIMIT %s", [CAPTURE_SINGLE])
            ids = [row[0] for row in cursor.fetchall()]
        for triggers in ("on", "off", "on", "off"):
            with connection.cursor() as cursor:
                cursor.execute("VACUUM vehicles_vehicle")
            with transaction.atomic(), connection.cursor() as cursor:
                if triggers == "off":
                    cursor.execute("ALTER TABLE vehicles_vehicle DISABLE TRIGGER USER")
                single = [
                    timed(
                        lambda cursor=cursor, pk=pk: cursor.execute(
                            "UPDATE vehicles_vehicle SET plate = 'BENCH' WHERE id = %s", [pk]
                        )
                    )
                    for pk in ids
                ]
                insert_s = timed(lambda cursor=cursor: cursor.execute(VEHICLES_SQL, params))
                update_s = timed(
                    lambda cursor=cursor: cursor.execute(
                        "UPDATE vehicles_vehicle SET status = 'exported' WHERE vin LIKE 'LB998Z%%'"
                    )
                )
                transaction.set_rollback(True)
            figures = (insert_s, update_s, statistics.median(single))
            best[triggers] = tuple(map(min, zip(best.get(triggers, figures), figures, strict=True)))
    (insert_on, update_on, row_on), (insert_off, update_off, row_off) = best["on"], best["off"]
    print(
        f"change capture, {rows:,} vehicles: INSERT {insert_on:.2f} s with the triggers, {insert_off:.2f} s "
        f"without; UPDATE {update_on:.2f} s with, {update_off:.2f} s without; one-row UPDATE (median of "
        f"{CAPTURE_SINGLE}) {row_on * 1000:.2f} ms with, {row_off * 1000:.2f} ms without",
        flush=True,
    )
    return {
        "capture_insert_pct": round(100 * (insert_on / insert_off - 1)),
        "capture_update_pct": round(100 * (update_on / update_off - 1)),
        "capture_row_ms": f"{(row_on - row_off) * 1000:.2f}",
    }


def dashboard_clients(partner) -> tuple[Client, Client]:
    users = get_user_model().objects
    staff = users.create_user(email="staff@bench-insights.example", password=None, is_staff=True)
    member = users.create_user(email="member@bench-insights.example", password=None)
    Membership.objects.create(user=member, partner=partner, role=Role.MEMBER)
    staff_client = Client(HTTP_HOST="localhost")
    staff_client.force_login(staff)
    partner_client = Client(HTTP_HOST=partner.domains.get(is_primary=True).domain)
    partner_client.force_login(member)
    return staff_client, partner_client


def median_ms(call) -> float:
    for _ in range(WARM_UP):
        call()
    return round(statistics.median(timed(call) for _ in range(DASHBOARD_RUNS)) * 1000, 1)


def dashboards(partner) -> tuple[dict, str]:
    """Median server time of each dashboard page, or of its selectors when the pages do not answer yet."""
    staff_client, partner_client = dashboard_clients(partner)
    queries = ["", "?measure=registrations&breakdown=region"]
    pages = {"staff": staff_client, "partner": partner_client}
    paths = {}
    try:
        paths["staff"] = reverse("insights:dashboard", urlconf=settings.PUBLIC_SCHEMA_URLCONF)
        paths["partner"] = reverse("insights:dashboard", urlconf=settings.ROOT_URLCONF)
        for who, client in pages.items():
            for query in queries:
                response = client.get(f"{paths[who]}{query}")
                if response.status_code != 200:
                    raise LookupError(f"{who} dashboard {paths[who]}{query}: HTTP {response.status_code}")
    except Exception as error:  # noqa: BLE001 -- the pages are being written: time their reads instead
        print(f"dashboard pages not available ({type(error).__name__}: {str(error)[:200]}); timing the selectors")
        connection.set_schema_to_public()
        first, last = selectors.selection_default()
        measure = MEASURES["registrations"]

        def reads(partner_of=None):
            selection = selectors.Selection(measure, "region", first, last)
            table = selectors.table_get(selection=selection, staff=partner_of is None, partner=partner_of)
            table.rows()
            selectors.target_progress(staff=partner_of is None)

        return {"staff": median_ms(reads), "partner": median_ms(lambda: reads(partner))}, "selectors"
    figures = {}
    for who, client in pages.items():
        urls = itertools.cycle(paths[who] + query for query in queries)
        figures[who] = median_ms(lambda client=client, urls=urls: client.get(next(urls)))
    return figures, "pages"


def run() -> dict:
    partners, sizes = set_up()
    ids = [partner.pk for partner in partners]

    floor_rows(partners)  # warm-up: the same pages in the cache for the floor and the pipeline
    floors = [timed(lambda: floor_rows(partners)) for _ in range(2)]

    with Stopwatch("partner_compute") as computes, Stopwatch("run_combine") as combines:
        started = time.perf_counter()
        full = pipeline.run_inline(kind=RunKind.FULL)
        full_s = time.perf_counter() - started
    assert full.status == "finished" and full.partners_done == PARTNERS, (full.status, full.partners_done)
    rows = floor_rows(partners)
    check_floor_matches_facts(rows)
    floors.append(timed(lambda: floor_rows(partners)))
    floor_s = min(floors)
    serial_s = min(floor_serial_s(partners) for _ in range(2))
    workers = os.cpu_count() or 2
    full_workers_s = full_on_workers_s(workers)
    compute_s = [seconds for _kwargs, seconds in computes.calls]
    combine_s = combines.calls[0][1]
    print(
        f"full run #{full.pk}: {full_s:.2f} s = partners {sum(compute_s):.2f} s (median "
        f"{statistics.median(compute_s) * 1000:.0f} ms) + combine {combine_s:.2f} s + rest "
        f"{full_s - sum(compute_s) - combine_s:.2f} s; {full.facts_written:,} facts, {full.cells_written:,} cells; "
        f"floor {' / '.join(f'{s:.2f}' for s in floors)} s ({len(rows):,} rows), on one core {serial_s:.2f} s",
        flush=True,
    )
    print(
        f"full run with the partners on {workers} threads (own connections, as {workers} Celery workers): "
        f"{full_workers_s:.2f} s, {full_workers_s / floor_s:.2f}x the floor",
        flush=True,
    )

    # One partner changes one month: 100 vehicles produced and registered in it.
    changed = partners[0]
    month = month_add(months_window()[1], -3)
    with schema_context(changed.schema_name), connection.cursor() as cursor:
        model_id = VehicleModel.objects.values_list("pk", flat=True).first()
        cursor.execute(
            VEHICLES_SQL.replace("%(start)s::date + (i %% %(days)s)", "%(start)s::date + (i %% 20)"),
            {
                "prefix": "LB999Y",
                "models": [model_id] * 4,
                "start": month,
                "end": month_add(month, 1),
                "days": 28,
                "countries": COUNTRIES,
                "rows": 100,
            },
        )
    marks = _marks()
    started = time.perf_counter()
    incremental = pipeline.run_inline(kind=RunKind.INCREMENTAL)
    incremental_s = time.perf_counter() - started
    print(
        f"incremental run #{incremental.pk} after {marks}: {incremental_s:.3f} s, "
        f"{incremental.partners_total} partner, months {incremental.months}, {incremental.cells_written} cells",
        flush=True,
    )

    # Scaling: fixed cost per partner and cost per row of partner_compute; the combine by number of partners.
    intercept, slope = least_squares([float(rows) for rows in sizes], compute_s)
    combines_by_n = {}
    for n in sorted({max(1, PARTNERS // 4), max(1, PARTNERS // 2), PARTNERS}):
        combines_by_n[n] = combine_only_s(ids[:n])
    print(
        "scaling: partner_compute ≈ "
        f"{intercept * 1000:.1f} ms + {slope * 1e6:.2f} s per million vehicles (least squares over {PARTNERS} "
        f"partners of {min(sizes):,}–{max(sizes):,}); combine alone: "
        + ", ".join(f"{n} partners {s * 1000:.0f} ms" for n, s in combines_by_n.items()),
        flush=True,
    )

    figures, source = dashboards(partners[0])
    print(f"dashboards ({source}): staff {figures['staff']} ms, partner {figures['partner']} ms (medians)")

    capture = capture_cost(partners[-1])

    ratio = full_s / floor_s
    print(
        f"goals: ratio {ratio:.2f} (≤ {GOAL_RATIO}), incremental {incremental_s:.3f} s (< {GOAL_INCREMENTAL_S} s), "
        f"dashboards {max(figures.values())} ms (< {GOAL_DASHBOARD_MS} ms)"
    )
    return {
        "full_s": f"{full_s:.2f}",
        "floor_s": f"{floor_s:.2f}",
        "ratio": f"{ratio:.2f}",
        "incremental_s": f"{incremental_s:.3f}",
        "dashboard_ms": max(figures.values()),
        "staff_dashboard_ms": figures["staff"],
        "partner_dashboard_ms": figures["partner"],
        "dashboard_source": source,
        "floor_serial_s": f"{serial_s:.2f}",
        "ratio_serial": f"{full_s / serial_s:.2f}",
        f"full_{workers}w_s": f"{full_workers_s:.2f}",
        f"ratio_{workers}w": f"{full_workers_s / floor_s:.2f}",
        "partners": PARTNERS,
        "vehicles": sum(sizes),
        "compute_s": f"{sum(compute_s):.2f}",
        "combine_s": f"{combine_s:.2f}",
        "per_partner_ms": f"{intercept * 1000:.1f}",
        "per_million_rows_s": f"{slope * 1e6:.2f}",
        **capture,
        **{f"combine_{n}_ms": round(s * 1000) for n, s in combines_by_n.items()},
    }
