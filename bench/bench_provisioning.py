"""Partner provisioning time, phase by phase, at 10 and at 1,000 partners; a no-op `migrate_schemas` over 100.

(a) `partner_provision` (clone `partner_template`, then fake the migrations) for 10 partners, each on a new
    connection as separate requests or tasks would be: the median, and the median of each phase (PhaseTimer).
    Floors in the same run: a bare `CREATE SCHEMA`/`DROP SCHEMA` round-trip, and provisioning with every
    migration run instead of cloning (3 partners).
(b) Provision partners up to 100, then time a no-op `migrate_schemas` (smart executor, which skips schemas
    already up to date) over all of them; floor: the same command with django-tenants' standard executor.
(c) Provision partners up to 1,000 (PROVISIONING_BENCH_LARGE; 0 skips it): `median_1000_s` is the median of
    the last 10 and each phase's median over the same 10, against (a)'s (a flat cost: the same figures;
    docs/scaling.md "Provisioning at a flat cost"), and django-tenants' own `clone_schema()` timed once at that
    size for comparison (its catalog reads grow with every schema).
"""

import contextlib
import io
import os
import statistics
import time
from unittest import mock

import django_tenants.management.commands.migrate_schemas as migrate_schemas_module
import django_tenants.models as tenant_models
import django_tenants.utils as tenant_utils
from django.conf import settings
from django.core import management
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import override_settings
from django_tenants.clone import CloneSchema
from django_tenants.migration_executors import get_executor

from tenants import clone as fast_clone
from tenants.choices import PartnerKind
from tenants.models import Domain, Partner
from tenants.services import partner_provision

CLONED = 10  # partners timed in (a)
NOT_CLONED = 3  # partners provisioned by running every migration (floor of (a))
SCHEMA_ROUND_TRIPS = 10
TOTAL = 100  # partners for (b)
LARGE = int(os.environ.get("PROVISIONING_BENCH_LARGE", "1000"))  # partners for (c)
LAST = 10
GOAL_MEDIAN_S = 0.5
GOAL_MIGRATE_S = 5.0

# The phases of one provisioning, each timed without the phases it calls (so they add up to the total):
PHASES = {
    "clone_read": "the template's fingerprint and the cached clone script (tenants.clone.template_script)",
    "clone_script": "the clone script run: CREATE SCHEMA, tables, rows, constraints, indexes, triggers",
    "fake_migrate": "migrate_schemas --fake on the new schema (migration graph, recorder, signals)",
    "schema_exists": "django-tenants' pg_namespace look-ups (schema_exists)",
    "domain": "the Domain row",
    "commit": "COMMIT",
    "other": "the rest: validation, the partner row, post_save signals (audit, caches), on_commit hooks",
}


class PhaseTimer:
    """Times the phases of provisioning by wrapping what it calls: one dict of seconds per phase per partner.

    A phase's time leaves out the phases it calls (the clone script's run is schema_clone without
    template_script), so a partner's phases add up to its wall time ("other" is the remainder).
    """

    def __init__(self):
        self.partners: list[dict[str, float]] = []
        self.script_reads: list[float] = []  # reading the template (once per process and migration state)
        self._stack: list[list] = []
        self._current: dict[str, float] = {}
        wrap = self._timed
        self._patches = [
            mock.patch.object(fast_clone, "template_script", wrap("clone_read", fast_clone.template_script)),
            mock.patch.object(fast_clone, "_read_script", wrap("script_read", fast_clone._read_script)),
            mock.patch.object(fast_clone, "schema_clone", wrap("clone_script", fast_clone.schema_clone)),
            # django-tenants' own clone: the fallback for a template tenants.clone cannot copy.
            mock.patch.object(CloneSchema, "clone_schema", wrap("clone_script", CloneSchema.clone_schema)),
            # create_schema calls migrate_schemas --fake (cloned) or a real migrate_schemas (not cloned);
            # tenants.models.Partner.create_schema imports call_command when it runs.
            mock.patch.object(tenant_models, "call_command", wrap("fake_migrate", tenant_models.call_command)),
            mock.patch.object(management, "call_command", wrap("fake_migrate", management.call_command)),
            mock.patch.object(tenant_utils, "schema_exists", wrap("schema_exists", tenant_utils.schema_exists)),
            mock.patch.object(tenant_models, "schema_exists", wrap("schema_exists", tenant_models.schema_exists)),
            mock.patch.object(Domain, "save", wrap("domain", Domain.save)),
            mock.patch.object(connection, "commit", wrap("commit", connection.commit)),
        ]

    def _timed(self, phase, function):
        def wrapper(*args, **kwargs):
            self._stack.append([time.perf_counter(), 0.0])
            try:
                return function(*args, **kwargs)
            finally:
                started, inner = self._stack.pop()
                seconds = time.perf_counter() - started
                if self._stack:
                    self._stack[-1][1] += seconds
                if phase == "script_read":
                    self.script_reads.append(seconds)
                name = "clone_read" if phase == "script_read" else phase
                self._current[name] = self._current.get(name, 0.0) + seconds - inner

        return wrapper

    def __enter__(self):
        for patch in self._patches:
            patch.start()
        return self

    def __exit__(self, *exc):
        for patch in reversed(self._patches):
            patch.stop()

    def provision(self, slug: str) -> float:
        """Provision one partner through the real service; record its phases and return its wall time."""
        self._current = {}
        seconds = provision(slug)
        self._current["other"] = seconds - sum(self._current.values())
        self.partners.append(self._current)
        return seconds

    def median(self, phase, last: int | None = None):
        """The median of a phase over the partners (the last `last` of them); 'clone' is both clone phases."""
        parts = ("clone_read", "clone_script") if phase == "clone" else (phase,)
        partners = self.partners[-last:] if last else self.partners
        values = [sum(partner.get(part, 0.0) for part in parts) for partner in partners]
        return statistics.median(values) if values else float("nan")

    def line(self, last: int | None = None) -> str:
        return ", ".join(f"{phase} {fmt(self.median(phase, last))}" for phase in PHASES)


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

    # (a) Provisioning by cloning the template, phase by phase, each partner on a new connection (as in (b) and
    # (c), so the figures compare; the first one also reads the template's clone script, once per process).
    with PhaseTimer() as phases:
        cloned = []
        for i in range(1, CLONED + 1):
            connection.close()
            cloned.append(phases.provision(f"bench-{i:04d}"))
    median_s = statistics.median(cloned)
    print(
        f"provision (clone + fake migrate), {CLONED} partners: median {fmt(median_s)} s, "
        f"min {fmt(min(cloned))} s, max {fmt(max(cloned))} s (goal < {GOAL_MEDIAN_S} s)"
    )
    print(f"  one after another, a new connection each: {' '.join(f'{seconds:.2f}' for seconds in cloned)}")
    print(f"  phase medians (s): {phases.line()}")
    print(
        "  reading the template's clone script (once per process and migration state, within the first "
        f"clone_read): {', '.join(fmt(seconds) for seconds in phases.script_reads)} s"
    )

    # Floors of (a): an empty schema, and a schema built by running every migration.
    round_trips = statistics.median(schema_round_trip(i) for i in range(SCHEMA_ROUND_TRIPS))
    with override_settings(TENANT_CREATION_FAKES_MIGRATIONS=False), PhaseTimer() as full_phases:
        not_cloned = [full_phases.provision(f"bench-full-{i}") for i in range(1, NOT_CLONED + 1)]
    no_clone_median_s = statistics.median(not_cloned)
    print(f"floor: CREATE SCHEMA + DROP SCHEMA round-trip, median of {SCHEMA_ROUND_TRIPS}: {fmt(round_trips)} s")
    print(
        f"without the template (every migration run), {NOT_CLONED} partners: median {fmt(no_clone_median_s)} s "
        f"(migrate_schemas {fmt(full_phases.median('fake_migrate'))} s): cloning saves "
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

    large = provision_large(phases) if partners < LARGE else {}

    return {
        "median_s": fmt(median_s),
        **large,
        "migrate_100_s": f"{migrate_s:.2f}",
        "clone_median_s": fmt(phases.median("clone")),
        "fake_migrate_median_s": fmt(phases.median("fake_migrate")),
        "other_median_s": fmt(median_s - phases.median("clone") - phases.median("fake_migrate")),
        "schema_round_trip_s": fmt(round_trips),
        "no_clone_median_s": fmt(no_clone_median_s),
        "standard_migrate_100_s": f"{standard_s:.2f}",
        "schemas": schemas,
    }


def provision_large(first: PhaseTimer) -> dict:
    """(c) Partners up to LARGE, a new connection each: the last LAST, phase by phase, against (a)'s CLONED."""
    existing = Partner.objects.members().count()
    started = time.perf_counter()
    times = []
    with PhaseTimer() as phases:
        for i in range(existing + 1, LARGE + 1):
            connection.close()
            times.append(phases.provision(f"bench-l{i:04d}"))
            if i % 100 == 0:
                clone_s, fake_migrate_s = phases.median("clone", LAST), phases.median("fake_migrate", LAST)
                print(
                    f"  {i} partners, medians of the last {LAST}: total {fmt(statistics.median(times[-LAST:]))}, "
                    f"clone {fmt(clone_s)}, fake_migrate {fmt(fake_migrate_s)} s",
                    flush=True,
                )
    median_large_s = statistics.median(times[-LAST:])
    median_first_s = statistics.median(sum(partner.values()) for partner in first.partners)
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
        f"at {LARGE} partners {fmt(median_large_s)} s, first {CLONED} {fmt(median_first_s)} s: "
        f"{median_large_s / median_first_s:.2f}x (flat: 1; goal < {GOAL_MEDIAN_S} s)"
    )
    print(f"  phase medians (s), first {CLONED}: {first.line()}")
    print(f"  phase medians (s), last {LAST}:  {phases.line(LAST)}")
    print(f"django-tenants' clone_schema() alone at {LARGE} partners: {fmt(django_tenants_clone_s)} s")
    clone_s, fake_migrate_s = phases.median("clone", LAST), phases.median("fake_migrate", LAST)
    return {
        f"median_{LARGE}_s": fmt(median_large_s),
        f"ratio_{LARGE}": f"{median_large_s / median_first_s:.2f}",
        f"clone_median_{LARGE}_s": fmt(clone_s),
        f"fake_migrate_median_{LARGE}_s": fmt(fake_migrate_s),
        f"other_median_{LARGE}_s": fmt(median_large_s - clone_s - fake_migrate_s),
        f"django_tenants_clone_{LARGE}_s": fmt(django_tenants_clone_s),
    }
