"""The statistics pipeline: start a run, compute each partner's facts in its schema, combine them into cells.

Every step is one transaction that replaces what it computes (delete, then insert), so a rerun, a retry or a
redelivered task after a killed worker gives the same rows and never adds twice:

* `run_start` (public) records a run and the partners it covers, and queues one task per partner schema;
* `partner_compute` (in the partner's schema) locks its dirty months (`capture.Mark`, in that schema),
  recomputes the facts of exactly those months in SQL, deletes the marks and records its part done, all or nothing;
* the last partner to finish queues `run_combine` (public), which rebuilds the cells of the months that
  changed, applies disclosure control, evaluates the risk rules and marks the run finished.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from tenants.models import Partner

from .capture.models import Mark
from .capture.selectors import marked_schemas
from .choices import Breakdown, PartStatus, RunKind, RunStatus
from .disclosure import TOTAL, CellFigures, protect, severity
from .measures import MEASURES, PARTNER_MEASURES, SCANS, STORED_MEASURES, scan_sql, sql_render
from .models import Cell, Run, RunPartner

logger = logging.getLogger(__name__)


# ---------------------------------------------------------------- start


def run_start(*, kind: str = RunKind.INCREMENTAL, by=None, queue: bool = True) -> Run:
    """Record a run and queue its partner tasks after the commit (a full run covers every member partner)."""
    with transaction.atomic():
        partners = list(Partner.objects.members().order_by("pk"))
        if kind == RunKind.INCREMENTAL:
            # Each partner's marks are in its own schema (the template's and a removed partner's are never read).
            dirty = marked_schemas(schemas=[partner.schema_name for partner in partners])
            partners = [partner for partner in partners if partner.schema_name in dirty]
        run = Run.objects.create(kind=kind, partners_total=len(partners), started_by=by)
        RunPartner.objects.bulk_create([RunPartner(run=run, partner=partner) for partner in partners])
        if queue:
            transaction.on_commit(lambda: _queue_partners(run, partners))
    return run


def nothing_changed() -> bool:
    """No partner has dirty months and no project changed stage since the last finished run began."""
    from portal.collaboration.models import Transition

    members = list(Partner.objects.members().values_list("schema_name", flat=True))
    if marked_schemas(schemas=members):
        return False
    last = Run.objects.filter(status=RunStatus.FINISHED).order_by("-started_at").first()
    return last is not None and not Transition.objects.filter(at__gte=last.started_at).exists()


def run_in_progress(*, within: datetime.timedelta = datetime.timedelta(minutes=15)) -> bool:
    """A run started recently is still computing or combining (an incremental one would only repeat its work)."""
    recent = Run.objects.filter(started_at__gte=timezone.now() - within)
    return recent.filter(status__in=[RunStatus.RUNNING, RunStatus.COMBINING]).exists()


def runs_resume(*, stalled_after: datetime.timedelta = datetime.timedelta(minutes=15)) -> int:
    """Queue the combine again for runs whose combine message was lost (still combining after a while)."""
    from .tasks import insights_combine

    stalled = Run.objects.filter(status=RunStatus.COMBINING, started_at__lt=timezone.now() - stalled_after)
    ids = list(stalled.values_list("pk", flat=True))
    for run_id in ids:
        insights_combine.apply_async(args=[run_id], headers={"_schema_name": "public"})
    return len(ids)


def _queue_partners(run: Run, partners: list[Partner]) -> None:
    from .tasks import insights_combine, insights_partner_compute

    if not partners:
        insights_combine.apply_async(args=[run.pk], headers={"_schema_name": "public"})
        return
    for partner in partners:
        insights_partner_compute.apply_async(args=[run.pk, partner.pk], headers={"_schema_name": partner.schema_name})


# ---------------------------------------------------------------- one partner


def _months_window(months: list[datetime.date]) -> dict:
    return {
        "months": months,
        "lo": min(months),
        "hi": (max(months).replace(day=28) + datetime.timedelta(days=4)).replace(day=1),
    }


# Templates for `sql_render`: `{Model}` and `{Model.field}` are named through `_meta`; values are parameters.
DELETE_FACTS = "DELETE FROM public.{Fact} WHERE {Fact.partner} = %(partner)s AND ({conditions})"
INSERT_FACTS = """
INSERT INTO public.{Fact} (measure, period, d1, d2, {Fact.partner}, value)
SELECT q.measure, q.period, q.d1, q.d2, %(partner)s, q.value FROM ({query}) AS q(measure, period, d1, d2, value)
WHERE q.value <> 0
"""
BREAKDOWN_ROWS = """
SELECT f.period, {key}, f.{Fact.partner}, sum(f.value) FROM public.{Fact} f
JOIN public.{Partner} p ON p.id = f.{Fact.partner}
WHERE f.measure = %(measure)s {period_filter} GROUP BY 1, 2, 3
"""


def facts_replace(*, partner: Partner, months_by_source: dict[str, list[datetime.date]] | None) -> int:
    """Recompute a partner's facts (this schema) for the given months per source, or for everything (None).

    Two statements whatever the number of measures: one DELETE of what is recomputed, one INSERT … SELECT of
    every scan (UNION ALL), so the fixed cost per partner stays small.
    """
    params: dict = {"partner": partner.pk}
    deletes, selects = [], []
    for index, scan in enumerate(SCANS):
        key = f"s{index}"
        params[f"codes_{key}"] = list(scan.measures)
        params.update(scan.params)  # the states the scan selects
        if months_by_source is None:
            deletes.append(f"measure = ANY(%(codes_{key})s)")
            selects.append(scan_sql(scan, key=None))
            continue
        months = months_by_source.get(scan.source)
        if not months:
            continue
        params.update({f"{name}_{key}": value for name, value in _months_window(months).items()})
        deletes.append(f"(measure = ANY(%(codes_{key})s) AND period = ANY(%(months_{key})s::date[]))")
        selects.append(scan_sql(scan, key=key))
    if not selects:
        return 0
    with connection.cursor() as cursor:
        # Big partners' scans cost enough to trigger JIT compilation, which takes longer than the scan itself.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql_render(DELETE_FACTS, conditions=" OR ".join(deletes)), params)
        union = "\nUNION ALL\n".join(f"({select})" for select in selects)
        cursor.execute(sql_render(INSERT_FACTS, query=union), params)  # the scans' own SQL: no input in it
        return cursor.rowcount


def partner_compute(*, run_id: int, partner_id: int, queue: bool = True) -> RunPartner:
    """Compute one partner's part of a run in its own schema; a part already done is left as it is."""
    with transaction.atomic():
        # Only this part's row is locked (of=self): partners of one run compute in parallel on many workers.
        part = (
            RunPartner.objects.select_for_update(of=("self",))
            .select_related("run", "partner")
            .get(run_id=run_id, partner_id=partner_id)
        )
        if part.status != PartStatus.PENDING:
            # A redelivered task whose work was committed: only make sure the run moves on.
            transaction.on_commit(lambda: part_finished(run_id=run_id, queue=queue))
            return part
        partner = part.partner
        if connection.schema_name != partner.schema_name:
            raise RuntimeError(f"partner {partner.schema_name} computed in schema {connection.schema_name}")
        # This schema's marks (the connection is in it). Locked until this transaction ends: a write marking the
        # same month waits, then marks it again.
        marks = list(Mark.objects.select_for_update())
        if part.run.kind == RunKind.FULL:
            written = facts_replace(partner=partner, months_by_source=None)
            months: list[str] = []
        else:
            by_source: dict[str, list[datetime.date]] = defaultdict(list)
            for mark in marks:
                by_source[mark.source].append(mark.month)
            written = facts_replace(partner=partner, months_by_source=by_source)
            months = sorted({mark.month.isoformat() for mark in marks})
        Mark.objects.filter(pk__in=[mark.pk for mark in marks]).delete()
        part.status, part.months, part.facts_written = PartStatus.DONE, months, written
        part.attempts += 1
        part.finished_at = timezone.now()
        part.save(update_fields=["status", "months", "facts_written", "attempts", "finished_at"])
    part_finished(run_id=run_id, queue=queue)
    return part


def part_failed(*, run_id: int, partner_id: int, error: str) -> None:
    """Give up on one partner (its marks stay for the next run) and let the run combine without it."""
    with transaction.atomic():
        updated = RunPartner.objects.filter(run_id=run_id, partner_id=partner_id, status=PartStatus.PENDING).update(
            status=PartStatus.FAILED, error=error[:2000], finished_at=timezone.now()
        )
    if updated:
        part_finished(run_id=run_id)


def part_finished(*, run_id: int, queue: bool = True) -> bool:
    """When every part is done or failed, move the run on to combining (once) and queue the combine."""
    with transaction.atomic():
        run = Run.objects.select_for_update().get(pk=run_id)
        if run.status != RunStatus.RUNNING or run.parts.filter(status=PartStatus.PENDING).exists():
            return False
        run.partners_done = run.parts.filter(status=PartStatus.DONE).count()
        run.status = RunStatus.COMBINING
        run.save(update_fields=["status", "partners_done"])
        if queue:
            from .tasks import insights_combine

            # Sent for the public schema, whichever partner's task finished last.
            transaction.on_commit(
                lambda: insights_combine.apply_async(args=[run_id], headers={"_schema_name": "public"})
            )
    return True


# ---------------------------------------------------------------- combine

PROJECT_FACTS = "project_stage_entries"
DELETE_PROJECT_FACTS = "DELETE FROM public.{Fact} WHERE measure = %(measure)s"
INSERT_PROJECT_FACTS = """
INSERT INTO public.{Fact} (measure, period, d1, d2, {Fact.partner}, value)
SELECT %(measure)s, date_trunc('month', t.{Transition.at} AT TIME ZONE 'UTC')::date, t.{Transition.to_stage}, '',
       p.{Project.owner}, count(DISTINCT t.{Transition.project})
FROM {Transition} t JOIN {Project} p ON p.id = t.{Transition.project}
GROUP BY 2, 3, 5
"""
DELETE_CELLS = "DELETE FROM public.{Cell} WHERE measure = %(measure)s {period_filter}"
PARTNER_KEYS = {Breakdown.KIND: "p.{Partner.kind}", Breakdown.COUNTRY: "p.{Partner.country}", Breakdown.TOTAL: "''"}


def breakdown_rows(cursor, measure, breakdown: str, periods: list[datetime.date] | None):
    """(month, key, partner, value) of one measure broken down one way, for the given months (or all)."""
    key = sql_render(PARTNER_KEYS[breakdown]) if breakdown in PARTNER_KEYS else f"f.{measure.dimensions[breakdown]}"
    period_filter = "AND f.period = ANY(%(periods)s)" if periods is not None else ""
    cursor.execute(
        sql_render(BREAKDOWN_ROWS, key=key, period_filter=period_filter),  # fixed column names, no input
        {"measure": measure.code, "periods": periods},
    )
    return cursor.fetchall()


def cells_rebuild(*, periods: list[datetime.date] | None, measures: list[str] | None = None) -> int:
    """Rebuild the cells of the given measures (or all) for the given months (or all), with disclosure control."""
    chosen = [MEASURES[code] for code in measures] if measures is not None else STORED_MEASURES
    cells: list[Cell] = []
    with connection.cursor() as cursor:
        for measure in chosen:
            # period → breakdown → key → partner → value
            tables: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(dict)))
            for breakdown in measure.breakdowns:
                for period, key, partner_id, value in breakdown_rows(cursor, measure, breakdown, periods):
                    tables[period][breakdown][key or TOTAL][partner_id] = value
            for period, by_breakdown in tables.items():
                cells.extend(period_cells(measure.code, period, by_breakdown))
            period_filter = "AND period = ANY(%(periods)s)" if periods is not None else ""
            cursor.execute(
                sql_render(DELETE_CELLS, period_filter=period_filter), {"measure": measure.code, "periods": periods}
            )
    Cell.objects.bulk_create(cells, batch_size=2000)
    return len(cells)


def period_cells(measure: str, period, by_breakdown: dict, hidden_elsewhere: dict | None = None) -> list[Cell]:
    """One period of one measure: the total (shared by every breakdown) and each breakdown's cells.

    `hidden_elsewhere`: breakdown → keys that must be hidden whatever their own figures (TOTAL under
    Breakdown.TOTAL hides the total), as a quarter that would reveal a suppressed month.
    """
    hidden_elsewhere = hidden_elsewhere or {}
    total = by_breakdown.get(Breakdown.TOTAL, {}).get(TOTAL)
    published = total is not None
    if not published and by_breakdown:
        # Without a published total, two breakdowns of the same facts still add up to the same sum, and a
        # related measure may publish it (blocked shipments for their reasons): each breakdown is protected
        # as if that total were published.
        total = defaultdict(Decimal)
        for by_partner in next(iter(by_breakdown.values())).values():
            for partner_id, value in by_partner.items():
                total[partner_id] += value
        total = dict(total)
    total_hidden = frozenset({TOTAL} & hidden_elsewhere.get(Breakdown.TOTAL, set()))
    total_status = protect({TOTAL: total}, hidden_elsewhere=total_hidden)[TOTAL] if total is not None else None
    cells = []
    for breakdown, table in by_breakdown.items():
        if breakdown == Breakdown.TOTAL:
            continue
        hidden = frozenset(hidden_elsewhere.get(breakdown, ()))
        if total is None:
            status = protect(dict(table), has_total=False, hidden_elsewhere=hidden)
        else:
            status = protect({**table, TOTAL: total}, hidden_elsewhere=hidden | total_hidden)
            # A breakdown that can only be protected by hiding the total hides it for every breakdown.
            total_status = max(total_status, status[TOTAL], key=severity)
        cells.extend(
            _cell(measure, breakdown, period, key, by_partner, status[key]) for key, by_partner in table.items()
        )
    if published:
        cells.append(_cell(measure, Breakdown.TOTAL, period, TOTAL, total, total_status))
    return cells


def _cell(measure: str, breakdown: str, period, key: str, by_partner: dict[int, Decimal], status: str) -> Cell:
    figures = CellFigures(by_partner)
    return Cell(
        measure=measure,
        breakdown=breakdown,
        period=period,
        key=key,
        value=figures.value,
        contributors=figures.contributors,
        top_share=round(figures.top_share, 4),
        status=status,
    )


def run_combine(*, run_id: int) -> Run:
    """Combine the partners' facts into cells for the months the run changed, then evaluate the risk rules."""
    from .funnel import funnel_rebuild
    from .risks import warnings_rebuild

    with transaction.atomic():
        # One combine at a time: two would both rebuild the same cells.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('insights_combine'))")
        run = Run.objects.select_for_update().get(pk=run_id)
        if run.status in (RunStatus.FINISHED, RunStatus.FAILED):
            return run
        parts = list(run.parts.values_list("status", "months", "facts_written", "partner__name", "error"))
        with connection.cursor() as cursor:
            cursor.execute(sql_render(DELETE_PROJECT_FACTS), {"measure": PROJECT_FACTS})
            cursor.execute(sql_render(INSERT_PROJECT_FACTS), {"measure": PROJECT_FACTS})
            project_facts = cursor.rowcount
        partner_codes = [measure.code for measure in PARTNER_MEASURES]
        if run.kind == RunKind.FULL:
            periods = None
        else:
            periods = sorted({datetime.date.fromisoformat(month) for _s, months, *_rest in parts for month in months})
        run.cells_written = cells_rebuild(periods=periods, measures=partner_codes) if periods != [] else 0
        # Projects live in the public schema and are few: their cells are rebuilt whole every time.
        run.cells_written += cells_rebuild(periods=None, measures=[PROJECT_FACTS])
        warnings_rebuild()
        funnel_rebuild()
        run.months = [month.isoformat() for month in periods] if periods is not None else []
        run.facts_written = sum(part[2] for part in parts) + project_facts
        run.partners_done = sum(1 for part in parts if part[0] == PartStatus.DONE)
        run.errors = [
            {"partner": name, "error": error} for status, _m, _f, name, error in parts if status == PartStatus.FAILED
        ]
        run.status = RunStatus.FINISHED
        run.finished_at = timezone.now()
        run.save()
        transaction.on_commit(lambda: _announce(run))
    return run


def _announce(run: Run) -> None:
    """Tell integrators new statistics are out (webhook `statistics.published`), partner by partner."""
    from portal.integrations.models import WebhookEvent
    from portal.integrations.webhooks import webhook_event_emit

    data = {"run": run.pk, "kind": run.kind, "months": run.months, "finished_at": run.finished_at.isoformat()}
    for partner in Partner.objects.members().active().filter(webhook_endpoints__is_active=True).distinct():
        webhook_event_emit(partner=partner, event=WebhookEvent.STATISTICS_PUBLISHED, data=data)


def run_inline(*, kind: str = RunKind.INCREMENTAL, by=None) -> Run:
    """Run the whole pipeline in this process, partner by partner (demo seed, benchmarks, tests)."""
    from django_tenants.utils import schema_context

    run = run_start(kind=kind, by=by, queue=False)
    for part in run.parts.select_related("partner"):
        with schema_context(part.partner.schema_name):
            partner_compute(run_id=run.pk, partner_id=part.partner_id, queue=False)
    part_finished(run_id=run.pk, queue=False)
    return run_combine(run_id=run.pk)
