"""The pipeline: incremental runs touch only dirty months, reruns and retries never double-count, runs are recorded."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_context

from portal.insights import pipeline
from portal.insights.capture.models import Mark
from portal.insights.choices import PartStatus, RunKind, RunStatus, Source
from portal.insights.models import Cell, Fact, Run, RunPartner
from portal.insights.pipeline import part_finished, partner_compute, run_combine, run_inline, run_start
from portal.insights.tasks import MAX_RETRIES, insights_combine, insights_partner_compute
from portal.supply.models import SupplyReport
from portal.vehicles.models import Vehicle, VehicleModel
from tenants.services import partner_deactivate

from .factories import (
    at,
    cells,
    cells_expected,
    certificate_row,
    check_row,
    dirty,
    dirty_clear,
    facts,
    facts_expected,
    mark_add,
    model_row,
    month,
    shipment_row,
    supply_row,
    vehicle_row,
)

JAN, FEB, MAR = month(2025, 1), month(2025, 2), month(2025, 3)


def _data(partner, *, vehicles: int = 3) -> None:
    """Figures of several sources in January, February and March."""
    model = model_row(partner, "L3e")
    made = [
        vehicle_row(partner, model, when + datetime.timedelta(days=n), when + datetime.timedelta(days=n + 1), "TH")
        for when in (JAN, FEB, MAR)
        for n in range(vehicles)
    ]
    shipment = shipment_row(partner, made[:2], destination="AE", shipped_at=at(FEB))
    check_row(partner, shipment, verdict="blocked", checked_at=at(MAR), reasons=[("embargo", "block")])
    certificate_row(partner, "un-r136", datetime.date(2025, 1, 20))
    for when in (JAN, FEB, MAR):
        supply_row(partner, when, 1000, 300)


@pytest.fixture
def two(world):
    _data(world.alpha)
    _data(world.beta, vehicles=2)
    return [world.alpha, world.beta]


def _ids(**filters) -> dict:
    return dict(Fact.objects.filter(**filters).values_list("id", "value"))


# ---------------------------------------------------------------- incremental


def test_an_incremental_run_recomputes_only_the_dirty_months(two):
    alpha, beta = two
    run_inline(kind=RunKind.FULL)
    assert dirty() == set()
    # A sentinel in a clean month: an incremental run that touched March would delete it.
    sentinel = Fact.objects.create(measure="production", period=MAR, d1="SENTINEL", partner=alpha, value=7)
    untouched = _ids(period=FEB) | _ids(period=MAR) | _ids(partner=beta)
    february_cells = dict(Cell.objects.filter(period=FEB).values_list("id", "computed_at"))

    vehicle_row(alpha, model_row(alpha, "M1"), datetime.date(2025, 1, 25))
    assert dirty() == {("alpha", Source.VEHICLES, JAN)}
    run = run_inline()

    assert run.kind == RunKind.INCREMENTAL and run.partners_total == 1
    assert run.months == ["2025-01-01"]
    assert list(run.parts.values_list("partner__schema_name", "months", "status")) == [
        ("alpha", ["2025-01-01"], PartStatus.DONE)
    ]
    assert Fact.objects.filter(pk=sentinel.pk).exists()
    assert _ids(period=FEB) | _ids(period=MAR) | _ids(partner=beta) == untouched
    assert dict(Cell.objects.filter(period=FEB).values_list("id", "computed_at")) == february_cells
    assert facts(period=JAN, measure="production", partner=alpha) == {
        ("production", JAN, "L3e", "", alpha.pk): 3,
        ("production", JAN, "M1", "", alpha.pk): 1,
    }
    # Only the vehicle measures of January were rewritten: its supply and certificate facts kept their ids.
    assert run.parts.get().facts_written == len(
        facts(period=JAN, partner=alpha, measure__in=["production", "registrations"])
    )
    Fact.objects.filter(pk=sentinel.pk).delete()
    assert facts() == facts_expected(two)
    assert cells() == cells_expected(facts())
    assert dirty() == set()  # the marks were consumed


def test_an_incremental_run_with_nothing_dirty_covers_no_partner(two):
    run_inline(kind=RunKind.FULL)
    before, cells_before = facts(), cells()
    run = run_inline()
    assert (run.partners_total, run.partners_done, run.months, run.status) == (0, 0, [], RunStatus.FINISHED)
    assert not run.parts.exists()
    assert facts() == before and cells() == cells_before


def test_a_deleted_row_removes_its_figures(two):
    alpha, _beta = two
    run_inline(kind=RunKind.FULL)
    with schema_context("alpha"):
        SupplyReport.objects.filter(month=FEB).delete()
        Vehicle.objects.filter(production_date__gte=MAR).exclude(shipment_items__isnull=False).delete()
    run_inline()
    assert not facts(measure__startswith="supply", period=FEB, partner=alpha)
    assert not facts(measure="production", period=MAR, partner=alpha)
    assert facts() == facts_expected(two)
    assert cells() == cells_expected(facts())


def test_a_full_run_equals_an_incremental_run_from_scratch(two):
    assert {schema for schema, _source, _month in dirty()} == {"alpha", "beta"}
    incremental = run_inline()
    from_marks, cells_from_marks = facts(), cells()
    assert incremental.partners_total == 2 and dirty() == set()
    full = run_inline(kind=RunKind.FULL)
    assert facts() == from_marks == facts_expected(two)
    assert cells() == cells_from_marks == cells_expected(from_marks)
    assert full.partners_total == 2 and full.months == []


def test_the_cells_of_the_changed_months_are_rebuilt_with_the_other_partners_figures(two):
    _alpha, beta = two
    run_inline(kind=RunKind.FULL)
    supply_row(beta, month(2025, 4), 500, 100)  # beta only: April's cells hold beta alone
    run_inline()
    assert cells(measure="supply_total", period=month(2025, 4)) == {
        ("supply_total", "total", month(2025, 4), ""): Decimal(500),
        ("supply_total", "kind", month(2025, 4), beta.kind): Decimal(500),
    }
    assert Cell.objects.get(measure="supply_total", breakdown="total", period=month(2025, 4)).status == "primary"
    # January's cells still add alpha's and beta's figures, though only alpha's were recomputed.
    with schema_context("alpha"):
        SupplyReport.objects.filter(month=JAN).update(total_value=2000)
    run_inline()
    assert cells(measure="supply_total", breakdown="total", period=JAN) == {
        ("supply_total", "total", JAN, ""): Decimal(3000)
    }


# ---------------------------------------------------------------- reruns, retries, redeliveries


def test_rerunning_a_partner_part_and_the_combine_changes_nothing(two):
    alpha, beta = two
    run = run_start(kind=RunKind.INCREMENTAL, queue=False)
    with schema_context("alpha"):
        partner_compute(run_id=run.pk, partner_id=alpha.pk, queue=False)
    first = _ids(partner=alpha)
    part = RunPartner.objects.get(run=run, partner=alpha)
    # A redelivered task (the worker died after its commit): nothing is recomputed, nothing added.
    supply_row(alpha, month(2025, 5), 10, 1)  # a new mark, for the next run, not for this redelivery
    with schema_context("alpha"):
        again = partner_compute(run_id=run.pk, partner_id=alpha.pk, queue=False)
    assert again.status == PartStatus.DONE and again.attempts == part.attempts == 1
    assert _ids(partner=alpha) == first
    assert ("alpha", Source.SUPPLY, month(2025, 5)) in dirty()
    with schema_context("beta"):
        partner_compute(run_id=run.pk, partner_id=beta.pk, queue=False)
    assert part_finished(run_id=run.pk, queue=False) is False  # the last part already moved the run on
    combined = run_combine(run_id=run.pk)
    snapshot, cell_ids = facts(), dict(Cell.objects.values_list("id", "value"))
    assert combined.status == RunStatus.FINISHED
    again = run_combine(run_id=run.pk)
    assert again.finished_at == combined.finished_at and again.cells_written == combined.cells_written
    assert facts() == snapshot and dict(Cell.objects.values_list("id", "value")) == cell_ids
    expected = facts_expected(two)
    expected.pop(("supply_total", month(2025, 5), "", "", alpha.pk))
    expected.pop(("supply_local", month(2025, 5), "", "", alpha.pk))
    assert facts() == expected


def test_a_full_run_twice_gives_the_same_facts(two):
    run_inline(kind=RunKind.FULL)
    first = facts()
    run_inline(kind=RunKind.FULL)
    assert facts() == first == facts_expected(two)
    assert cells() == cells_expected(first)


def test_a_part_computed_in_another_schema_is_refused(two):
    alpha, _beta = two
    run = run_start(kind=RunKind.FULL, queue=False)
    marks = dirty()
    with schema_context("beta"), pytest.raises(RuntimeError, match="alpha computed in schema beta"):
        partner_compute(run_id=run.pk, partner_id=alpha.pk, queue=False)
    assert RunPartner.objects.get(run=run, partner=alpha).status == PartStatus.PENDING
    assert dirty() == marks and not Fact.objects.exists()


def test_a_failing_partner_is_retried_then_recorded_and_keeps_its_marks(
    two, monkeypatch, django_capture_on_commit_callbacks
):
    alpha, beta = two
    calls = []
    real = pipeline.facts_replace

    def flaky(*, partner, months_by_source):
        calls.append(partner.schema_name)
        if partner.schema_name == "beta":
            # Half of beta's facts written, then the failure: the part's transaction must take them back.
            real(partner=partner, months_by_source=months_by_source)
            raise OSError("disk on fire")
        return real(partner=partner, months_by_source=months_by_source)

    monkeypatch.setattr(pipeline, "facts_replace", flaky)
    sent = []
    monkeypatch.setattr(insights_combine, "apply_async", lambda **kw: sent.append((kw["args"], kw["headers"])))
    beta_marks = dirty("beta")
    run = run_start(kind=RunKind.INCREMENTAL, queue=False)
    with django_capture_on_commit_callbacks(execute=True):
        for partner in (alpha, beta):
            with schema_context(partner.schema_name):
                result = insights_partner_compute.apply(args=[run.pk, partner.pk])
                assert connection.schema_name == partner.schema_name
            assert result.get(propagate=False) in ("done", "failed")
    assert calls == ["alpha"] + ["beta"] * (MAX_RETRIES + 1)
    assert sent == [([run.pk], {"_schema_name": "public"})]  # combine queued once, for public
    parts = dict(run.parts.values_list("partner__schema_name", "status"))
    assert parts == {"alpha": PartStatus.DONE, "beta": PartStatus.FAILED}
    assert "disk on fire" in RunPartner.objects.get(run=run, partner=beta).error

    run = run_combine(run_id=run.pk)
    assert run.status == RunStatus.FINISHED and run.finished_at is not None
    assert (run.partners_total, run.partners_done) == (2, 1)
    assert run.errors == [{"partner": beta.name, "error": "OSError: disk on fire"}]
    assert dirty("beta") == beta_marks and dirty("alpha") == set()
    assert not Fact.objects.filter(partner=beta).exists()

    # The next run picks beta's months up and completes it.
    monkeypatch.setattr(pipeline, "facts_replace", real)
    nxt = run_inline()
    assert nxt.partners_total == 1 and nxt.errors == [] and dirty() == set()
    assert facts() == facts_expected(two)


def test_a_failed_part_is_final_and_a_late_success_does_not_reopen_it(two):
    alpha, beta = two
    run = run_start(kind=RunKind.FULL, queue=False)
    pipeline.part_failed(run_id=run.pk, partner_id=beta.pk, error="gave up")
    with schema_context("beta"):
        part = partner_compute(run_id=run.pk, partner_id=beta.pk, queue=False)  # a late redelivery
    assert part.status == PartStatus.FAILED and not Fact.objects.filter(partner=beta).exists()
    pipeline.part_failed(run_id=run.pk, partner_id=beta.pk, error="twice")
    assert RunPartner.objects.get(run=run, partner=beta).error == "gave up"
    assert Run.objects.get(pk=run.pk).status == RunStatus.RUNNING  # alpha still pending
    with schema_context("alpha"):
        partner_compute(run_id=run.pk, partner_id=alpha.pk, queue=False)
    assert Run.objects.get(pk=run.pk).status == RunStatus.COMBINING


# ---------------------------------------------------------------- run records


def test_a_run_is_recorded(two, world):
    before = datetime.datetime.now(datetime.UTC)
    run = run_inline(kind=RunKind.FULL, by=world.staff)
    run.refresh_from_db()
    assert run.status == RunStatus.FINISHED
    assert (run.partners_total, run.partners_done, run.errors) == (2, 2, [])
    assert run.started_by == world.staff
    assert before <= run.started_at <= run.finished_at
    assert run.duration_s is not None and run.duration_s >= 0
    assert run.facts_written == Fact.objects.count()
    assert run.cells_written == Cell.objects.count()
    parts = run.parts.order_by("partner_id")
    assert [(p.partner.schema_name, p.status, p.attempts) for p in parts] == [
        ("alpha", PartStatus.DONE, 1),
        ("beta", PartStatus.DONE, 1),
    ]
    assert sum(p.facts_written for p in parts) == Fact.objects.exclude(measure="project_stage_entries").count()
    assert all(p.finished_at and p.months == [] for p in parts)

    supply_row(two[1], month(2025, 6), 10, 1)
    certificate_row(two[1], "un38-3", datetime.date(2025, 8, 31))
    nxt = run_inline()
    assert nxt.months == ["2025-06-01", "2025-08-01"]
    assert (nxt.partners_total, nxt.partners_done) == (1, 1)
    assert list(Run.objects.values_list("pk", flat=True)) == [nxt.pk, run.pk]  # newest first


def test_run_start_queues_one_task_per_partner_with_its_schema(two, monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(insights_partner_compute, "apply_async", lambda **kw: sent.append((kw["args"], kw["headers"])))
    with django_capture_on_commit_callbacks(execute=True):
        run = run_start(kind=RunKind.FULL)
    assert sorted(sent, key=str) == [([run.pk, p.pk], {"_schema_name": p.schema_name}) for p in two]


def test_a_run_with_no_partner_queues_the_combine(world, monkeypatch, django_capture_on_commit_callbacks):
    dirty_clear()
    sent = []
    monkeypatch.setattr(insights_combine, "apply_async", lambda **kw: sent.append((kw["args"], kw["headers"])))
    with django_capture_on_commit_callbacks(execute=True):
        run = run_start(kind=RunKind.INCREMENTAL)
    assert sent == [([run.pk], {"_schema_name": "public"})]


# ---------------------------------------------------------------- partners and marks


def test_a_deactivated_partner_keeps_its_history_in_the_figures(two):
    """Deactivation shuts a partner's workspace and keeps its data: what it produced still happened."""
    _alpha, beta = two
    run_inline(kind=RunKind.FULL)
    before = facts()
    partner_deactivate(partner=beta)
    run = run_inline(kind=RunKind.FULL)
    assert run.partners_total == 2
    assert facts() == before
    assert Fact.objects.filter(partner=beta).exists()


def test_a_mark_written_after_the_partner_read_its_marks_is_not_lost(two):
    alpha, _beta = two
    run = run_start(kind=RunKind.INCREMENTAL, queue=False)
    real = pipeline.facts_replace
    with schema_context("alpha"):
        # A write that lands while alpha's part computes: its mark must survive the part's clean-up.
        def and_then_a_write(**kwargs):
            written = real(**kwargs)
            Mark.objects.create(source=Source.SUPPLY, month=month(2025, 7))
            SupplyReport.objects.create(month=month(2025, 7), total_value=70, local_value=7)
            return written

        pipeline.facts_replace, saved = and_then_a_write, pipeline.facts_replace
        try:
            partner_compute(run_id=run.pk, partner_id=alpha.pk, queue=False)
        finally:
            pipeline.facts_replace = saved
    assert ("alpha", Source.SUPPLY, month(2025, 7)) in dirty("alpha")
    assert not facts(period=month(2025, 7))
    nxt = run_inline()
    assert "2025-07-01" in nxt.months
    assert facts(period=month(2025, 7), partner=alpha) == {
        ("supply_total", month(2025, 7), "", "", alpha.pk): 70,
        ("supply_local", month(2025, 7), "", "", alpha.pk): 7,
    }
    assert dirty("alpha") == set()


def test_marks_of_a_schema_that_is_no_partner_do_not_keep_runs_going(two):
    run_inline(kind=RunKind.FULL)
    mark_add(settings.TENANT_BASE_SCHEMA, Source.SUPPLY, JAN)  # the template's table: never read by a run
    run = run_inline()
    assert run.partners_total == 0
    assert pipeline.nothing_changed()


def test_an_incremental_run_after_a_category_change_updates_the_exports(two):
    alpha, _beta = two
    run_inline(kind=RunKind.FULL)
    with schema_context("alpha"):
        VehicleModel.objects.filter(name__startswith="Stats model").update(category="L1e")
    run_inline()
    assert facts(measure="exports", partner=alpha) == {
        key: value for key, value in facts_expected(two).items() if key[0] == "exports" and key[4] == alpha.pk
    }


# ---------------------------------------------------------------- marks kept in each partner's schema


def test_each_partner_reads_and_clears_only_its_own_marks(two):
    """Isolation: the marks live in each partner's schema; a run computes each partner's own months only."""
    alpha, beta = two
    run_inline(kind=RunKind.FULL)
    mark_add("alpha", Source.SUPPLY, JAN)
    mark_add("beta", Source.SUPPLY, MAR)
    with schema_context("beta"):
        # From beta's schema the marks table is beta's: alpha's month is neither seen nor deleted.
        assert set(Mark.objects.values_list("source", "month")) == {(Source.SUPPLY, MAR)}
        assert Mark.objects.filter(month=JAN).delete()[0] == 0
    assert dirty() == {("alpha", Source.SUPPLY, JAN), ("beta", Source.SUPPLY, MAR)}
    run = run_inline()
    months = dict(run.parts.values_list("partner__schema_name", "months"))
    assert months == {"alpha": ["2025-01-01"], "beta": ["2025-03-01"]}
    assert dirty() == set()
    # Only one partner marked: only its part is run, and the other's schema is not touched.
    mark_add("beta", Source.SUPPLY, FEB)
    run = run_inline()
    assert list(run.parts.values_list("partner__schema_name", "months")) == [("beta", ["2025-02-01"])]
    assert run.partners_total == 1 and beta.pk != alpha.pk


def test_marks_are_found_across_more_schemas_than_one_statement_holds(two, monkeypatch):
    """The partners with marks are read in batches of schemas (one UNION ALL statement per batch)."""
    from portal.insights.capture import selectors

    monkeypatch.setattr(selectors, "BATCH", 1)
    dirty_clear()
    mark_add("beta", Source.SUPPLY, JAN)
    assert selectors.marked_schemas(schemas=["alpha", "beta", settings.TENANT_BASE_SCHEMA, "no_such_schema"]) == {
        "beta"
    }
    assert selectors.marked_schemas(schemas=[]) == set()
