"""Battery passports at a million batteries: the bulk import against a plain COPY, then the public passport page.

The import is the real pipeline (`portal.vehicles.importing.pipeline.import_run` with `kind="batteries"`, called
directly, not through Celery) on a generated 1,000,000-row CSV (identifier, battery model code and two passport
values per battery; 1 % bad rows: unknown models, malformed identifiers, duplicates): stream and check every row,
COPY into the job's staging table, SQL checks (VINs, identifiers other partners hold, status steps), duplicates and
rejections, then one transaction that inserts the batteries with their `complete` flag, history rows and
passport index entries. The floor, in the same run: a plain `COPY … FROM STDIN` of the same good rows, already in
PostgreSQL's text format, into a copy of the battery table with the same indexes (`LIKE … INCLUDING ALL`) and the
same foreign keys.

Then, with the 1,000,000 batteries in the schema, the public passport page on the public host
(`/passport/<identifier>/`, no sign-in: one passport index lookup, then the partner's schema) is timed through the
Django test client, as HTML (`passport_p99_ms`) and as JSON-LD (`?format=jsonld`, `jsonld_p99_ms`), each on
distinct identifiers spread over the table (so no response comes from a cache).
Summary line: `bench battery-passport: import_rows_per_s=<n> copy_rows_per_s=<n> ratio=<r> passport_p99_ms=<ms>
jsonld_p99_ms=<ms>`. Goals: ratio >= 0.5, both p99 under 20 ms. `BENCH_PASSPORT_ROWS=20000` makes a quick run.
"""

import json
import os
import random
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from django_tenants.utils import schema_context
from psycopg import sql

from portal.batteries.choices import BatteryCategory, Behaviour, Granularity
from portal.batteries.models import Battery, BatteryModel
from portal.batteries.registry.models import PassportAttribute
from portal.vehicles.choices import BatteryChemistry, ImportMode, ImportStatus
from portal.vehicles.importing.pipeline import import_run
from portal.vehicles.models import ImportJob
from tenants.choices import PartnerKind
from tenants.models import Partner
from tenants.services import partner_provision

from .bench_vehicle_list import ms, p99, timed

ROWS = int(os.environ.get("BENCH_PASSPORT_ROWS", "1000000"))
BAD_SHARE = 0.01
MODELS = ("TP-48V-20AH", "TP-72V-40AH", "TP-60V-30AH")
PAGES = 300  # distinct identifiers timed per format
WARM_UP = 20
GOAL_RATIO = 0.5
GOAL_P99_MS = 20


def identifier(serial: int) -> str:
    return f"LA0123BENCH-{serial:09d}"


def _static_codes(granularity: str) -> list[str]:
    return list(
        PassportAttribute.objects.filter(behaviour=Behaviour.STATIC, granularity=granularity)
        .exclude(code__in=("battery_passport_identifier", "battery_identifier", "battery_category", "battery_status"))
        .filter(mandatory_for__contains=[BatteryCategory.LMT])
        .order_by("number")
        .values_list("code", flat=True)
    )


def partner_ensure() -> Partner:
    partner = Partner.objects.filter(schema_name="bench_battery").first()
    if partner is None:
        partner = partner_provision(
            name="Bench Battery", slug="bench-battery", kind=PartnerKind.EV_MAKER, country="CN", invite=False
        ).partner
    return partner


def generate(path: Path, copy_path: Path, model_ids: dict[str, int], value_codes: list[str]) -> dict[str, int]:
    """The CSV to import and, for the floor, its good rows in COPY text format. Returns the bad-row counts."""
    rng = random.Random(15)
    kinds = {"unknown_model": 0, "bad_identifier": 0, "duplicate": 0}
    now = "2026-12-01 00:00:00+00"
    header = ["identifier", "model", *value_codes]
    with path.open("w", encoding="utf-8", newline="") as out, copy_path.open("w", encoding="utf-8") as floor:
        out.write(",".join(header) + "\r\n")
        previous = identifier(0)
        for serial in range(ROWS):
            code, model = identifier(serial), MODELS[serial % 3]
            values = [f"{value_code[:8]}-{serial % 97}" for value_code in value_codes]
            if rng.random() < BAD_SHARE:
                kind = ("unknown_model", "bad_identifier", "duplicate")[serial % 3]
                kinds[kind] += 1
                if kind == "unknown_model":
                    model = "NO-SUCH-PACK"
                elif kind == "bad_identifier":
                    code = f"bad id {serial}"
                else:
                    code = previous
                out.write(",".join([code, model, *values]) + "\r\n")
                continue
            previous = code
            out.write(",".join([code, model, *values]) + "\r\n")
            document = json.dumps(dict(zip(value_codes, values, strict=True))).replace("\\", "\\\\")
            floor.write(f"{code}\tLMT\t{model_ids[model]}\t\\N\toriginal\t{document}\tt\t{now}\t{now}\n")
    return kinds


def _floor(partner: Partner, floor_rows: Path) -> tuple[int, float]:
    """Plain COPY of the good rows into a copy of the battery table (same indexes and foreign keys)."""
    table = sql.Identifier(partner.schema_name, "bench_battery_copy")
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(table))
        cursor.execute(
            sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING ALL)").format(
                table, sql.Identifier(partner.schema_name, Battery._meta.db_table)
            )
        )
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'f' AND conrelid = %s::regclass",
            [f'"{partner.schema_name}"."{Battery._meta.db_table}"'],
        )
        for (definition,) in cursor.fetchall():
            cursor.execute(sql.SQL("ALTER TABLE {} ADD " + definition).format(table))
        columns = (
            'identifier, category, battery_model_id, vehicle_id, status, "values", complete, created_at, updated_at'
        )
        started = time.perf_counter()
        with (
            floor_rows.open("rb") as data,
            cursor.cursor.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(table, sql.SQL(columns))) as copy,
        ):
            while chunk := data.read(1 << 20):
                copy.write(chunk)
        copy_s = time.perf_counter() - started
        copied = cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(table)).fetchone()[0]
        cursor.execute(sql.SQL("DROP TABLE {}").format(table))
    return copied, copy_s


def _page_p99_ms(client: Client, identifiers: list[str], query: str) -> float:
    for code in identifiers[:WARM_UP]:
        client.get(f"/passport/{code}/{query}")
    samples = []
    for code in identifiers[WARM_UP:]:
        response = None

        def get(code=code):
            nonlocal response
            response = client.get(f"/passport/{code}/{query}")

        samples.append(timed(get))
        assert response.status_code == 200, (code, response.status_code)
    return float(ms(p99(samples)))


def run() -> dict:
    connection.set_schema_to_public()
    partner = partner_ensure()
    with tempfile.TemporaryDirectory(prefix="bench-battery-") as folder, override_settings(MEDIA_ROOT=folder):
        folder = Path(folder)
        with schema_context(partner.schema_name):
            connection.set_tenant(partner)
            model_values = {code: f"model value of {code}" for code in _static_codes(Granularity.MODEL)}
            model_ids = {
                code: BatteryModel.objects.get_or_create(
                    code=code,
                    defaults={
                        "name": f"Pack {code}",
                        "category": BatteryCategory.LMT,
                        "chemistry": BatteryChemistry.LFP,
                        "values": model_values,
                    },
                )[0].pk
                for code in MODELS
            }
            value_codes = _static_codes(Granularity.BATTERY)
            started = time.perf_counter()
            source, floor_rows = folder / "batteries.csv", folder / "floor.tsv"
            kinds = generate(source, floor_rows, model_ids, value_codes)
            print(
                f"generated {ROWS:,} rows ({source.stat().st_size / 1e6:.0f} MB, {len(value_codes)} passport value "
                f"columns, {sum(kinds.values()):,} bad: "
                + ", ".join(f"{k} {v:,}" for k, v in kinds.items())
                + f") in {time.perf_counter() - started:.1f} s"
            )
            copied, copy_s = _floor(partner, floor_rows)
            print(f"floor: plain COPY of {copied:,} good rows into a copy of the battery table: {copy_s:.1f} s")

            job = ImportJob(original_name="batteries.csv", kind="batteries", market="EU", mode=ImportMode.VALID_ROWS)
            with source.open("rb") as handle:
                job.file.save("bench.csv", File(handle), save=False)
            job.size_bytes = source.stat().st_size
            job.save()
            started = time.perf_counter()
            timings = import_run(job_id=job.pk, partner_id=partner.pk).timings
            import_s = time.perf_counter() - started
            job.refresh_from_db()
            assert job.status == ImportStatus.SUCCEEDED, job.error_message
            batteries = Battery.objects.count()
            complete = Battery.objects.filter(complete=True).count()
            print(
                f"import: {import_s:.1f} s; created {job.rows_created:,}, rejected {job.rows_rejected:,}; batteries "
                f"{batteries:,} ({complete:,} complete)"
            )
            print("where the import's time goes: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
        connection.set_schema_to_public()
    rng = random.Random(7)
    serials = rng.sample(range(ROWS), min(ROWS, 2 * (PAGES + WARM_UP)))
    with schema_context(partner.schema_name):
        present = set(
            Battery.objects.filter(identifier__in=[identifier(s) for s in serials]).values_list("identifier", flat=True)
        )
    connection.set_schema_to_public()
    identifiers = [identifier(s) for s in serials if identifier(s) in present]
    html_ids, json_ids = identifiers[: PAGES + WARM_UP], identifiers[PAGES + WARM_UP : 2 * (PAGES + WARM_UP)]
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["*"]):
        client = Client(HTTP_HOST=settings.PORTAL_DOMAIN)
        passport_p99 = _page_p99_ms(client, html_ids, "")
        jsonld_p99 = _page_p99_ms(client, json_ids, "?format=jsonld")
    print(
        f"public passport with {batteries:,} batteries in the schema: HTML p99 {passport_p99} ms, JSON-LD p99 "
        f"{jsonld_p99} ms ({len(html_ids) - WARM_UP} and {len(json_ids) - WARM_UP} distinct identifiers); goals "
        f"ratio >= {GOAL_RATIO}, p99 < {GOAL_P99_MS} ms"
    )
    import_rows_per_s = ROWS / import_s
    copy_rows_per_s = copied / copy_s
    return {
        "import_rows_per_s": f"{import_rows_per_s:.0f}",
        "copy_rows_per_s": f"{copy_rows_per_s:.0f}",
        "ratio": f"{import_rows_per_s / copy_rows_per_s:.2f}",
        "passport_p99_ms": passport_p99,
        "jsonld_p99_ms": jsonld_p99,
    }
