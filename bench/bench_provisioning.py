"""Partner provisioning time, and a no-op `migrate_schemas` over 100 partners; each next to its floor.

(a) `partner_provision` (clone `partner_template`, then fake the migrations) for 10 partners: the median, split
    into its clone and fake-migrate phases. Floors in the same run: a bare `CREATE SCHEMA`/`DROP SCHEMA`
    round-trip, and provisioning with every migration run instead of cloning (3 partners).
(b) Provision partners up to 100, then time a no-op `migrate_schemas` (smart executor, which skips schemas
    already up to date) over all of them; floor: the same command with django-tenants' standard executor.
(c) Provision partners up to 1,000 (PROVISIONING_BENCH_LARGE; 0 skips it): `median_1000_s` is the median of
    the last 10, against the first 10 (flat cost: tenants/clone.py), and django-tenants' own `clone_schema()`
    timed once at that size for comparison (its catalog reads grow with every schema).
"""

import contextlib
import io
import os
import statistics
import time
from collections import defaultdict
from unittest import mock

import django_tenants.management.commands.migrate_schemas as migrate_schemas_module
import django_tenants.models as tenant_models
from django.conf import settings
from django.core import management
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import override_settings
from django_tenants.clone import CloneSchema
from django_tenants.migration_executors import get_executor

from tenants import clone as fast_clone
from tenants.choices import PartnerKind
from tenants.models import Partner
from tenants.services import partner_provision

CLONED = 10  # partners timed in (a)
NOT_CLONED = 3  # partners provisioned by running every migration (floor of (a))
SCHEMA_ROUND_TRIPS = 10
TOTAL = 100  # partners for (b)
LARGE = int(os.environ.get("PROVISIONING_BENCH_LARGE", "1000"))  # partners for (c)
LAST = 10
GOAL_MEDIAN_S = 0.5
GOAL_MIGRATE_S = 5.0


class PhaseTimer:
    """Times the phases of `TenantMixin.create_schema` by wrapping what it calls; one list per phase."""

    def __init__(self):
        self.seconds = defaultdict(list)
        self._patches = [
            mock.patch.object(CloneSchema, "clone_schema", self._timed("clone", CloneSchema.clone_schema)),
            mock.patch.object(fast_clone, "schema_clone", self._timed("clone", fast_clone.schema_clone)),
            mock.patch.object(fast_clone, "_read_script", self._timed("clone_function_ddl", fast_clone._read_script)),
            mock.patch.object(
                CloneSchema,
                "_create_clone_schema_function",
                self._timed("clone_function_ddl", CloneSchema._create_clone_schema_function),
            ),
            # create_schema calls migrate_schemas --fake (cloned) or a real migrate_schemas (not cloned).
            mock.patch.object(tenant_models, "call_command", self._timed("migrate", tenant_models.call_command)),
            # tenants.models.Partner.create_schema (the flat clone) imports call_command when it runs.
            mock.patch.object(management, "call_command", self._timed("migrate", management.call_command)),
        ]

    def _timed(self, phase, function):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[phase].append(time.perf_counter() - started)

        return wrapper

    def __enter__(self):
        for patch in self._patches:
            patch.start()
        return self

    def __exit__(self, *exc):
        for patch in reversed(self._patches):
            patch.stop()

    def median(self, phase):
        return statistics.median(self.seconds[phase]) if self.seconds[phase] else float("nan")


def provision(slug: str) -> float:
    """Provision one partner through the real service; return its wall time in seconds."""
    started = time.perf_counter()
    # create_schema runs migrate_schemas at verbosity 1: ~100 lines per partner, kept out of the report.
    with contextlib.redirect_stdout(io.StringIO()):
        partner_provision(name=slug.title(), slug=slug, kind=PartnerKind.EV_MAKER, country="CN", invite=False)
    return time.perf_counter() - started


def schema_round_trip(index: int) -> float:
    name = f"bench_round_trip_{index}"
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {name}")
        cursor.execute(f"DROP SCHEMA {name}")
    return time.perf_counter() - started


def timed_command(*args, **options) -> float:
    started = time.perf_counter()
    call_command(*args, **options)
    return time.perf_counter() - started


def fmt(seconds: float) -> str:
    return f"{seconds:.3f}"


def run() -> dict:
    connection.set_schema_to_public()

    # (a) Provisioning by cloning the template, phase by phase.
    with PhaseTimer() as phases:
        cloned = [provision(f"bench-{i:04d}") for i in range(1, CLONED + 1)]
    median_s = statistics.median(cloned)
    print(
        f"provision (clone + fake migrate), {CLONED} partners: median {fmt(median_s)} s, "
        f"min {fmt(min(cloned))} s, max {fmt(max(cloned))} s (goal < {GOAL_MEDIAN_S} s)"
    )
    print(f"  one after another on one connection: {' '.join(f'{seconds:.2f}' for seconds in cloned)}")
    print(
        f"  of which clone_schema() {fmt(phases.median('clone'))} s "
        f"(reading the template's clone script, once per process and migration state: "
        f"{fmt(phases.median('clone_function_ddl'))} s), "
        f"migrate_schemas --fake {fmt(phases.median('migrate'))} s; "
        f"rest (rows, checks, domain, commit) {fmt(median_s - phases.median('clone') - phases.median('migrate'))} s"
    )

    # Floors of (a): an empty schema, and a schema built by running every migration.
    round_trips = statistics.median(schema_round_trip(i) for i in range(SCHEMA_ROUND_TRIPS))
    with override_settings(TENANT_CREATION_FAKES_MIGRATIONS=False), PhaseTimer() as full_phases:
        not_cloned = [provision(f"bench-full-{i}") for i in range(1, NOT_CLONED + 1)]
    no_clone_median_s = statistics.median(not_cloned)
    print(f"floor: CREATE SCHEMA + DROP SCHEMA round-trip, median of {SCHEMA_ROUND_TRIPS}: {fmt(round_trips)} s")
    print(
        f"without the template (every migration run), {NOT_CLONED} partners: median {fmt(no_clone_median_s)} s "
        f"(migrate_schemas {fmt(full_phases.median('migrate'))} s): cloning saves "
        f"{fmt(no_clone_median_s - median_s)} s per partner ({no_clone_median_s / median_s:.1f}x)"
    )

    # (b) Up to TOTAL partners, then a migrate_schemas with nothing to do. Each filler partner gets a new
    # connection, as separate requests or tasks would: on one long-lived connection every provisioning is a
    # little slower than the one before (clone_schema() re-creates its SQL functions each time; README.md).
    existing = Partner.objects.members().count()
    started = time.perf_counter()
    rest = []
    for i in range(CLONED + 1, CLONED + 1 + TOTAL - existing):
        connection.close()
        rest.append(provision(f"bench-{i:04d}"))
    partners = Partner.objects.members().count()
    schemas = Partner.objects.exclude(schema_name="public").count()  # the template is migrated too
    print(
        f"provisioned {len(rest)} more partners in {time.perf_counter() - started:.1f} s "
        f"(median {fmt(statistics.median(rest)) if rest else '-'} s); {partners} partners, {schemas} tenant schemas"
    )

    migrate_s = timed_command("migrate_schemas", interactive=False, verbosity=0)
    print(
        f"no-op migrate_schemas (smart executor, public + {schemas} schemas): {migrate_s:.2f} s "
        f"(goal {GOAL_MIGRATE_S:.0f} s)"
    )

    # Floor: the same command with django-tenants' standard executor over all the schemas (not extrapolated
    # from a sample: it takes ~20 s here). migrate_schemas reads GET_EXECUTOR_FUNCTION into a module global
    # when first imported, so override_settings cannot reach it and `--executor standard` is still wrapped by
    # the smart executor's loader; patching that global to django-tenants' own get_executor runs the very same
    # command, arguments and schemas with StandardExecutor, which migrates every schema whether behind or not.
    with mock.patch.object(migrate_schemas_module, "GET_EXECUTOR_FUNCTION", get_executor):
        standard_s = timed_command("migrate_schemas", interactive=False, verbosity=0, executor="standard")
    print(f"floor: the same no-op with the standard executor: {standard_s:.2f} s ({standard_s / migrate_s:.1f}x)")

    large = provision_large(median_s) if partners < LARGE else {}

    return {
        "median_s": fmt(median_s),
        **large,
        "migrate_100_s": f"{migrate_s:.2f}",
        "clone_median_s": fmt(phases.median("clone")),
        "fake_migrate_median_s": fmt(phases.median("migrate")),
        "schema_round_trip_s": fmt(round_trips),
        "no_clone_median_s": fmt(no_clone_median_s),
        "standard_migrate_100_s": f"{standard_s:.2f}",
        "schemas": schemas,
    }


def provision_large(first_median_s: float) -> dict:
    """(c) Partners up to LARGE, a new connection each; the median of the last LAST against the first ones."""
    existing = Partner.objects.members().count()
    started = time.perf_counter()
    times = []
    for i in range(existing + 1, LARGE + 1):
        connection.close()
        times.append(provision(f"bench-l{i:04d}"))
        if i % 100 == 0:
            print(f"  {i} partners: median of the last {LAST} {fmt(statistics.median(times[-LAST:]))} s", flush=True)
    median_large_s = statistics.median(times[-LAST:])
    connection.close()
    connection.set_schema_to_public()
    django_tenants_clone_s = float("nan")
    with contextlib.suppress(Exception), transaction.atomic():  # django-tenants' clone at this size, rolled back
        clone_started = time.perf_counter()
        CloneSchema().clone_schema(settings.TENANT_BASE_SCHEMA, "bench_django_tenants_clone")
        django_tenants_clone_s = time.perf_counter() - clone_started
        transaction.set_rollback(True)
    print(
        f"provisioned {len(times)} more partners in {time.perf_counter() - started:.1f} s: median of the last {LAST} "
        f"at {LARGE} partners {fmt(median_large_s)} s (first {CLONED}: {fmt(first_median_s)} s; goal < "
        f"{GOAL_MEDIAN_S} s); django-tenants' clone_schema() alone at {LARGE} partners: {fmt(django_tenants_clone_s)} s"
    )
    return {
        f"median_{LARGE}_s": fmt(median_large_s),
        f"django_tenants_clone_{LARGE}_s": fmt(django_tenants_clone_s),
    }
