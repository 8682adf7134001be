"""The beat task: incremental runs only when something changed; a run whose combine was lost is resumed."""

import datetime

from django.utils import timezone

from portal.insights import tasks
from portal.insights.choices import RunKind, RunStatus
from portal.insights.models import Run

from .factories import dirty, dirty_clear, mark_add


def test_an_incremental_run_with_nothing_to_do_is_not_started(world):
    dirty_clear()  # marks other tests' committed clean-ups may have left
    Run.objects.create(kind=RunKind.FULL, status=RunStatus.FINISHED, finished_at=timezone.now())
    before = Run.objects.count()
    assert tasks.insights_run.run(kind=RunKind.INCREMENTAL) is None
    assert Run.objects.count() == before


def test_a_dirty_month_starts_an_incremental_run_for_that_partner_only(world):
    dirty_clear()
    Run.objects.create(kind=RunKind.FULL, status=RunStatus.FINISHED, finished_at=timezone.now())
    mark_add(world.alpha.schema_name, "vehicles", datetime.date(2026, 1, 1))
    run = Run.objects.get(pk=tasks.insights_run.run(kind=RunKind.INCREMENTAL))
    assert run.partners_total == 1
    assert list(run.parts.values_list("partner__schema_name", flat=True)) == ["alpha"]


def test_no_incremental_run_starts_while_one_is_in_progress(world):
    dirty_clear()
    mark_add(world.alpha.schema_name, "vehicles", datetime.date(2026, 1, 1))
    Run.objects.create(kind=RunKind.INCREMENTAL, status=RunStatus.RUNNING)
    before = Run.objects.count()
    assert tasks.insights_run.run(kind=RunKind.INCREMENTAL) is None
    assert Run.objects.count() == before
    assert dirty("alpha")  # kept for the next run


def test_a_full_run_is_always_started(world):
    Run.objects.create(kind=RunKind.FULL, status=RunStatus.FINISHED, finished_at=timezone.now())
    run = Run.objects.get(pk=tasks.insights_run.run(kind=RunKind.FULL))
    assert run.kind == RunKind.FULL and run.partners_total >= 2


def test_a_run_stuck_combining_is_combined_again(world, monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.insights_combine, "apply_async", lambda **kwargs: sent.append(kwargs))
    stuck = Run.objects.create(kind=RunKind.INCREMENTAL, status=RunStatus.COMBINING)
    Run.objects.filter(pk=stuck.pk).update(started_at=timezone.now() - datetime.timedelta(hours=1))
    fresh = Run.objects.create(kind=RunKind.INCREMENTAL, status=RunStatus.COMBINING)
    assert tasks.pipeline.runs_resume() == 1
    assert sent == [{"args": [stuck.pk], "headers": {"_schema_name": "public"}}]
    assert fresh.pk not in [call["args"][0] for call in sent]
