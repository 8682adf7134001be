"""Funnel figures on a known dataset, per partner and alliance-wide, in a fixed number of queries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.collaboration.choices import Stage
from portal.collaboration.funnel import WHOLE, StageFigures, funnel_compute, funnel_stages
from portal.collaboration.models import Project, Transition
from portal.collaboration.selectors import project_list_for_partner
from tests.queries import query_budget

from .factories import project_for

NOW = timezone.now()


def _with_history(owner, stages_days: list[tuple[str, int]], partners=()):
    """A project that entered each stage `days` ago (oldest first)."""
    project = project_for(owner, partners=partners, stage=stages_days[0][0])
    Transition.objects.filter(project=project).update(at=NOW - timedelta(days=stages_days[0][1]))
    previous = stages_days[0][0]
    for stage, days in stages_days[1:]:
        Transition.objects.create(project=project, from_stage=previous, to_stage=stage, at=NOW - timedelta(days=days))
        previous = stage
    last = NOW - timedelta(days=stages_days[-1][1])
    Project.objects.filter(pk=project.pk).update(stage=previous, updated_at=last, stage_changed_at=last)
    return project


@pytest.fixture
def dataset(world):
    """4 negotiations → 2 docked → 1 signed for alpha; beta owns one project alpha is not part of."""
    n, d, s = Stage.NEGOTIATING, Stage.DOCKED, Stage.SIGNED
    _with_history(world.alpha, [(n, 100), (d, 90), (s, 60)])  # 10 days negotiating, 30 docked, 60 signed so far
    _with_history(world.alpha, [(n, 50), (d, 30)])  # 20 days negotiating, 30 docked
    _with_history(world.alpha, [(n, 40), (Stage.WITHDRAWN, 10)])  # 30 days negotiating
    _with_history(world.alpha, [(n, 5)], partners=[world.beta])  # 5 days so far
    _with_history(world.beta, [(n, 200), (d, 100)])


def test_partner_funnel(world, dataset):
    projects = project_list_for_partner(partner=world.alpha, accepted_only=True)
    with query_budget(5):
        figures = funnel_compute(projects=projects, stalled_days=20, now=NOW)
    rows = {row["stage"]: row for row in figures["stages"]}
    assert [rows[s]["reached"] for s in (Stage.NEGOTIATING, Stage.DOCKED, Stage.SIGNED)] == [4, 2, 1]
    assert rows[Stage.DOCKED]["conversion_pct"] == 50.0 and rows[Stage.SIGNED]["conversion_pct"] == 50.0
    assert rows[Stage.NEGOTIATING]["median_days"] == 15.0  # of 10, 20, 30, 5
    assert rows[Stage.DOCKED]["median_days"] == 30.0
    assert rows[Stage.SIGNED]["current"] == 1 and figures["exits"][Stage.WITHDRAWN] == 1
    assert figures["total"] == 4
    assert figures["stalled_count"] == 2  # signed 60 days ago, docked 30 days ago; not the withdrawn one
    beta = funnel_compute(projects=project_list_for_partner(partner=world.beta, accepted_only=True), now=NOW)
    assert {row["stage"]: row["reached"] for row in beta["stages"]}[Stage.DOCKED] == 1  # its own project only
    staff = funnel_compute(projects=project_list_for_partner(partner=None, staff=True), now=NOW)
    assert {row["stage"]: row["reached"] for row in staff["stages"]}[Stage.NEGOTIATING] == 5


def test_funnel_api_and_page(world, dataset):
    from tests.conftest import client_for

    client = client_for(world.alpha, world.person(world.alpha, "viewer"))
    data = client.get("/api/v1/projects/funnel/?stalled_days=20").json()
    assert [row["reached"] for row in data["stages"][1:4]] == [4, 2, 1]
    assert client.get("/api/v1/projects/funnel/?stalled_days=x").status_code == 400
    page = client.get("/projects/funnel/?stalled_days=abc")
    assert page.status_code == 200 and "<svg" in page.content.decode()


def test_per_owner_figures_are_each_owners_own_funnel(world, dataset):
    """The statistics store these: each owner's figures equal the funnel of its own projects, in three queries."""
    everything = Project.objects.all()
    with query_budget(3):
        figures = funnel_stages(projects=everything, now=NOW, by_owner=True)
    assert set(figures) == {WHOLE, world.alpha.pk, world.beta.pk}
    assert figures[WHOLE] == funnel_stages(projects=everything, now=NOW)[WHOLE]
    for owner in (world.alpha, world.beta):
        assert figures[owner.pk] == funnel_stages(projects=everything.filter(owner=owner), now=NOW)[WHOLE]
    alpha = figures[world.alpha.pk]
    assert (alpha[Stage.NEGOTIATING].reached, alpha[Stage.NEGOTIATING].median_days) == (4, 15.0)
    assert figures[world.beta.pk][Stage.DOCKED] == StageFigures(reached=1, current=1, median_days=100.0)
    assert figures[WHOLE][Stage.LAUNCHED] == StageFigures()  # nobody got there; a terminal stage has no median
