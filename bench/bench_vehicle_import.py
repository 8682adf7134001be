"""Bulk vehicle import of a generated 1,000,000-row CSV (1 % bad rows) against a plain COPY of the good rows.

The import is the real pipeline (`portal.vehicles.importing.pipeline.import_run`, called directly, not through
Celery): sniff, stream and parse the CSV, check every VIN (market CN: check digit enforced), COPY into the job's
staging table, find duplicates in SQL, write the rejections, and upsert the vehicles with their status history
in one transaction. The floor, in the same run: a plain `COPY ... FROM STDIN` of the same good rows, already in
PostgreSQL's text format, into a copy of the vehicles table with the same indexes (`LIKE ... INCLUDING ALL`)
and the same foreign key (to the vehicle models).
Peak memory is the process's resident set size sampled every 50 ms by a thread during the import (psutil).

After the import, the list API is timed with the imported vehicles in the schema (`list_p99_ms`, as in
bench_vehicle_list).
Summary line: `bench vehicle-import: rows_per_s=<n> copy_rows_per_s=<n> ratio=<r> peak_mb=<m> list_p99_ms=<ms>`.
Goals: ratio >= 0.5, peak_mb < 300. Takes about 2 minutes on a quiet 2-core machine.
"""

import datetime
import os
import random
import tempfile
import threading
import time
from pathlib import Path

import psutil
from django.core.files import File
from django.db import connection
from django.test.utils import override_settings
from django_tenants.utils import schema_context
from psycopg import sql

from portal.reference.models import WmiAssignment
from portal.vehicles.choices import ImportMode, ImportStatus
from portal.vehicles.importing.pipeline import import_run
from portal.vehicles.models import ImportJob, Vehicle, VehicleModel
from portal.vehicles.vin import check_digit
from tenants.choices import PartnerKind
from tenants.models import Partner
from tenants.services import partner_provision

from .bench_vehicle_list import list_api_p99_ms, owner_client

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "1000000"))
BAD_SHARE = 0.01
WMI = "LBV"
MODELS = ("Thunder S1", "Thunder S2 Pro", "Cargo T3")
PLANTS = ("Chongqing Liangjiang", "Chongqing Bishan", "Yibin")
GOAL_RATIO = 0.5
GOAL_PEAK_MB = 300


def vin(serial: int) -> str:
    body = f"{WMI}JCNL00S{serial % 10}{serial // 10:06d}"  # 17 characters; position 10 'S' = 2025
    return body[:8] + check_digit(body) + body[9:]


def generate(path: Path, copy_path: Path, model_ids: dict[str, int]) -> dict[str, int]:
    """The CSV to import and, for the floor, its good rows in COPY text format. Returns the bad-row counts."""
    rng = random.Random(42)
    kinds = {"check_digit": 0, "unknown_model": 0, "bad_date": 0, "duplicate": 0}
    start = datetime.date(2024, 1, 1)
    dates = [(start + datetime.timedelta(days=i)).isoformat() for i in range(600)]
    now = "2025-06-01 00:00:00+00"
    with path.open("w", encoding="utf-8", newline="") as out, copy_path.open("w", encoding="utf-8") as floor:
        out.write("VIN,Model,Production date,Plant\r\n")
        previous = vin(0)
        for serial in range(ROWS):
            code, model, date, plant = vin(serial), MODELS[serial % 3], dates[serial % 600], PLANTS[serial % 3]
            if rng.random() < BAD_SHARE:
                kind = ("check_digit", "unknown_model", "bad_date", "duplicate")[serial % 4]
                kinds[kind] += 1
                if kind == "check_digit":
                    code = code[:8] + ("1" if code[8] != "1" else "2") + code[9:]
                elif kind == "unknown_model":
                    model = "Unknown Model X"
                elif kind == "bad_date":
                    date = "2025-02-30"
                else:
                    code = previous
                out.write(f"{code},{model},{date},{plant}\r\n")
                continue
            previous = code
            out.write(f"{code},{model},{date},{plant}\r\n")
            floor.write(f"{code}\t{model_ids[model]}\t{date}\t{plant}\tproduced\t\t\t\t\\N\t{now}\t{now}\n")
    return kinds


class PeakRss:
    """Samples the resident set size of this process in a thread."""

    def __init__(self, interval: float = 0.05):
        self.process = psutil.Process()
        self.interval = interval
        self.peak = self.process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def partner_ensure() -> Partner:
    partner = Partner.objects.filter(schema_name="bench_import").first()
    if partner is None:
        partner = partner_provision(
            name="Bench Import", slug="bench-import", kind=PartnerKind.EV_MAKER, country="CN", invite=False
        ).partner
    WmiAssignment.objects.get_or_create(wmi=WMI, defaults={"partner": partner})
    return partner


def run() -> dict:
    connection.set_schema_to_public()
    partner = partner_ensure()
    with tempfile.TemporaryDirectory(prefix="bench-import-") as folder, override_settings(MEDIA_ROOT=folder):
        folder = Path(folder)
        with schema_context(partner.schema_name):
            connection.set_tenant(partner)
            model_ids = {}
            for name in MODELS:
                model_ids[name] = VehicleModel.objects.get_or_create(
                    name=name, defaults={"category": "L3e", "battery_chemistry": "LFP", "battery_kwh": "4.32"}
                )[0].pk
            started = time.perf_counter()
            source, floor_rows = folder / "vehicles.csv", folder / "floor.tsv"
            kinds = generate(source, floor_rows, model_ids)
            bad = sum(kinds.values())
            print(
                f"generated {ROWS:,} rows ({source.stat().st_size / 1e6:.0f} MB, {bad:,} bad: "
                + ", ".join(f"{k} {v:,}" for k, v in kinds.items())
                + f") in {time.perf_counter() - started:.1f} s"
            )

            # Floor: plain COPY of the same good rows into a copy of the vehicles table (same indexes).
            table = sql.Identifier(partner.schema_name, "bench_vehicle_copy")
            with connection.cursor() as cursor:
                cursor.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(table))
                cursor.execute(
                    sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING ALL)").format(
                        table, sql.Identifier(partner.schema_name, Vehicle._meta.db_table)
                    )
                )
                # The same foreign keys as the vehicles table (LIKE copies indexes, not foreign keys).
                cursor.execute(
                    "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE contype = 'f' AND conrelid = %s::regclass",
                    [f'"{partner.schema_name}"."{Vehicle._meta.db_table}"'],
                )
                for (definition,) in cursor.fetchall():
                    cursor.execute(sql.SQL("ALTER TABLE {} ADD " + definition).format(table))
                columns = (
                    "vin, model_id, production_date, plant, status, registration_country, registration_region, "
                    "plate, registration_date, created_at, updated_at"
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
            print(
                f"floor: plain COPY of {copied:,} good rows into a copy of the vehicles table (same indexes and FK): "
                f"{copy_s:.1f} s"
            )

            job = ImportJob(original_name="vehicles.csv", market="CN", mode=ImportMode.VALID_ROWS)
            with source.open("rb") as handle:
                job.file.save("bench.csv", File(handle), save=False)
            job.size_bytes = source.stat().st_size
            job.save()
            baseline = psutil.Process().memory_info().rss
            phases = {}
            started = time.perf_counter()
            with PeakRss() as rss:
                watcher = threading.Thread(target=_watch_phases, args=(job.pk, phases, started), daemon=True)
                watcher.start()
                timings = import_run(job_id=job.pk, partner_id=partner.pk).timings
            import_s = time.perf_counter() - started
            watcher.join(timeout=5)
            job.refresh_from_db()
            assert job.status == ImportStatus.SUCCEEDED, job.error_message
            vehicles = Vehicle.objects.count()
        connection.set_schema_to_public()
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["*"]):
        list_p99_ms = list_api_p99_ms(owner_client(partner))
    print(f"list API (page of 100) with {vehicles:,} vehicles in the schema: p99 {list_p99_ms} ms")
    print(
        f"import: {import_s:.1f} s; created {job.rows_created:,}, rejected {job.rows_rejected:,}, "
        f"vehicles in the table {vehicles:,}; phases (s from start): "
        + ", ".join(f"{phase} {at:.1f}" for phase, at in phases.items())
    )
    print("where the import's time goes: " + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in timings.items()))
    rows_per_s = ROWS / import_s
    copy_rows_per_s = copied / copy_s
    ratio = rows_per_s / copy_rows_per_s
    peak_mb = rss.peak / 2**20
    print(
        f"peak RSS {peak_mb:.0f} MB (before the import {baseline / 2**20:.0f} MB); goals ratio >= {GOAL_RATIO}, "
        f"peak < {GOAL_PEAK_MB} MB"
    )
    return {
        "rows_per_s": f"{rows_per_s:.0f}",
        "copy_rows_per_s": f"{copy_rows_per_s:.0f}",
        "ratio": f"{ratio:.2f}",
        "peak_mb": f"{peak_mb:.0f}",
        "list_p99_ms": list_p99_ms,
    }


def _watch_phases(job_id, phases: dict, started: float) -> None:
    """Notes when the job enters each phase (read on its own connection, as the job page would)."""
    import psycopg

    settings = connection.settings_dict
    conn = psycopg.connect(
        dbname=settings["NAME"],
        host=settings.get("HOST") or None,
        port=settings.get("PORT") or None,
        user=settings.get("USER") or None,
        password=settings.get("PASSWORD") or None,
        autocommit=True,
    )
    table = sql.Identifier("bench_import", ImportJob._meta.db_table)
    with conn:
        while True:
            row = conn.execute(sql.SQL("SELECT phase, status FROM {} WHERE id = %s").format(table), [job_id]).fetchone()
            if row and row[0] and row[0] not in phases:
                phases[row[0]] = time.perf_counter() - started
            if row and row[1] in ("succeeded", "failed"):
                return
            time.sleep(0.2)
