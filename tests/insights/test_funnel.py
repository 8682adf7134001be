"""The statistics' collaboration funnel: the same figures as the projects' funnel, per owner and disclosed."""

import pytest

from portal.collaboration.choices import Stage
from portal.collaboration.funnel import funnel_compute
from portal.collaboration.models import Project, Transition
from portal.insights.funnel import funnel_rebuild
from portal.insights.models import FunnelStage
from portal.insights.selectors import funnel_rows
from portal.integrations.services import api_key_create
from tenants.choices import Role

from ..collaboration.factories import project_for
from ..conftest import client_for
from .factories import partner_make


def _move(project: Project, *stages: str) -> None:
    for stage in stages:
        Transition.objects.create(project=project, from_stage=project.stage, to_stage=stage)
        project.stage = stage
    project.save(update_fields=["stage"])


@pytest.fixture
def projects(world):
    """Three owners negotiate; only alpha's project got as far as signed."""
    gamma = partner_make("gamma")
    Project.objects.all().delete()
    for owner in (world.alpha, world.beta, gamma):
        _move(project_for(owner, title=f"{owner.schema_name} swap"), Stage.NEGOTIATING)
    _move(project_for(world.alpha, title="alpha pack"), Stage.NEGOTIATING, Stage.DOCKED, Stage.SIGNED)
    funnel_rebuild()
    return gamma


def _by_stage(rows) -> dict:
    return {row["stage"]: row for row in rows}


def test_the_alliance_funnel_equals_the_projects_funnel(world, projects):
    expected = {s["stage"]: s for s in funnel_compute(projects=Project.objects.all())["stages"]}
    rows = _by_stage(funnel_rows(partner=None, staff=True))
    for stage, entry in expected.items():
        assert rows[stage]["reached"] == entry["reached"], stage
        assert rows[stage]["current"] == entry["current"], stage
        assert rows[stage]["conversion_pct"] == entry["conversion_pct"], stage
        assert rows[stage]["median_days"] == entry["median_days"], stage


def test_an_owners_funnel_counts_its_own_projects(world, projects):
    own = _by_stage(funnel_rows(partner=world.alpha, staff=False))
    assert (own[Stage.NEGOTIATING]["reached"], own[Stage.SIGNED]["reached"]) == (2, 1)
    beta = _by_stage(funnel_rows(partner=world.beta, staff=False))
    assert (beta[Stage.NEGOTIATING]["reached"], beta[Stage.SIGNED]["reached"]) == (1, 0)


def test_a_stage_one_owner_reached_is_suppressed_for_partners_not_for_staff(world, projects):
    partner_view = _by_stage(funnel_rows(partner=None, staff=False))
    assert partner_view[Stage.NEGOTIATING]["reached"] == 4 and not partner_view[Stage.NEGOTIATING]["suppressed"]
    assert partner_view[Stage.SIGNED]["suppressed"] and partner_view[Stage.SIGNED]["reached"] is None
    assert FunnelStage.objects.get(partner=None, stage=Stage.SIGNED).status == "primary"
    assert _by_stage(funnel_rows(partner=None, staff=True))[Stage.SIGNED]["reached"] == 1


def test_the_funnel_api_and_page_disclose_the_same(world, projects):
    _key, raw = api_key_create(partner=world.beta, name="BI", scopes=["insights:read"])
    body = client_for(world.beta).get("/api/v1/statistics/funnel/", HTTP_AUTHORIZATION=f"Api-Key {raw}").json()
    alliance, own = _by_stage(body["alliance"]), _by_stage(body["own"])
    assert alliance[Stage.SIGNED] == {**alliance[Stage.SIGNED], "reached": None, "suppressed": True}
    assert own[Stage.NEGOTIATING]["reached"] == 1  # beta's own, not alpha's two
    page = client_for(world.beta, world.person(world.beta, Role.VIEWER)).get("/statistics/").content.decode()
    assert 'data-testid="own-funnel"' in page and 'data-testid="alliance-funnel"' in page
