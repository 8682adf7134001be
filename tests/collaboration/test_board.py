"""The board: cards (partners, next milestone, days in stage), filters, and moving a card (drag or keyboard).

The move endpoint is the stage-change page's POST: the board's script asks for JSON, a form post gets a page.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from portal.collaboration import selectors, services
from portal.collaboration.choices import Stage
from portal.collaboration.models import Document, Milestone, Project, Transition
from tenants.choices import Role
from tests.conftest import client_for
from tests.queries import RealQueries, assert_same_queries

from .factories import project_for

JSON = {"HTTP_ACCEPT": "application/json"}
NOW = datetime.datetime(2026, 7, 1, 12, tzinfo=datetime.UTC)


def _url(name: str, **kwargs) -> str:
    return reverse(f"collaboration:{name}", kwargs=kwargs, urlconf="portal.urls_tenant")


def _move_url(project: Project) -> str:
    return _url("project-transition", pk=project.pk)


def _state(project: Project) -> tuple:
    project.refresh_from_db()
    return project.stage, project.version, Transition.objects.filter(project=project).count()


def test_cards_carry_partners_next_milestone_and_days_in_stage(world):
    project = project_for(world.alpha, title="Swap pack", partners=[world.beta], stage=Stage.DOCKED)
    Project.objects.filter(pk=project.pk).update(stage_changed_at=NOW - datetime.timedelta(days=12, hours=3))
    Milestone.objects.create(project=project, title="Done one", due_date=datetime.date(2026, 5, 1), done=True)
    Milestone.objects.create(project=project, title="Later", due_date=datetime.date(2026, 9, 1))
    Milestone.objects.create(project=project, title="Sample run", due_date=datetime.date(2026, 8, 3))
    columns = selectors.board_columns(projects=Project.objects.filter(pk=project.pk), now=NOW)
    assert [c["stage"] for c in columns][:7] == [
        Stage.PROPOSED,
        Stage.NEGOTIATING,
        Stage.DOCKED,
        Stage.SIGNED,
        Stage.IN_DEVELOPMENT,
        Stage.PILOT,
        Stage.LAUNCHED,
    ]
    (card,) = next(c for c in columns if c["stage"] == Stage.DOCKED)["projects"]
    assert [p.name for p in card.partners] == ["Alpha Motors", "Beta Cells"]
    assert card.next_milestone.title == "Sample run"
    assert card.days_in_stage == 12


def test_board_page_shows_a_card_with_its_move_menu_only_to_who_may_move(world):
    project_for(world.alpha, title="Swap pack", partners=[world.beta], stage=Stage.SIGNED)
    page = client_for(world.alpha, world.person(world.alpha, Role.MANAGER)).get(_url("board")).content.decode()
    assert "Swap pack" in page and "Beta Cells" in page and 'draggable="true"' in page
    assert 'value="in_development"' in page and 'value="docked" data-needs-reason="1"' in page
    for schema, role in (("alpha", Role.MEMBER), ("beta", Role.MANAGER)):
        partner = getattr(world, schema)
        other = client_for(partner, world.person(partner, role)).get(_url("board")).content.decode()
        assert "Swap pack" in other and 'draggable="true"' not in other and 'class="board-move' not in other


def test_filters_mine_partner_and_tag(world):
    manager = world.person(world.alpha, Role.MANAGER)
    mine = services.project_create(
        partner=world.alpha, role=Role.MANAGER, user=manager, title="Mine", tags=["v2x"], partners=[world.beta]
    )
    project_for(world.alpha, title="Someone else's")  # tag battery_swap, alpha alone
    client = client_for(world.alpha, manager)

    def titles(query: str) -> set[str]:
        response = client.get(_url("board") + query)
        return {p.title for c in response.context["columns"] for p in c["projects"]}

    assert titles("") == {"Mine", "Someone else's"}
    assert titles("?mine=on") == {"Mine"}
    assert titles(f"?partner={world.beta.pk}") == {"Mine"}
    assert titles("?tag=battery_swap") == {"Someone else's"}
    assert titles("?tag=nonsense") == set()  # an invalid filter matches nothing, never everything
    assert mine.pk


def test_board_queries_do_not_grow_with_cards(world):
    manager = world.person(world.alpha, Role.MANAGER)
    client = client_for(world.alpha, manager)
    path = _url("board") + f"?partner={world.beta.pk}&tag=battery_swap&mine=on"

    def add(count: int) -> None:
        for index in range(count):
            project = services.project_create(
                partner=world.alpha,
                role=Role.MANAGER,
                user=manager,
                title=f"P{index}",
                tags=["battery_swap"],
                stage=Stage.NEGOTIATING if index % 2 else Stage.SIGNED,
                partners=[world.beta],
            )
            Milestone.objects.create(project=project, title="m", due_date=datetime.date(2026, 8, 1))

    def count() -> RealQueries:
        client.get(path)  # steady state: after a first request the host's partner comes from the shared cache
        with RealQueries(connection) as captured:
            response = client.get(path)
        assert response.status_code == 200 and response.context["columns"][1]["projects"]
        return captured

    add(2)
    few = count()
    add(12)
    assert_same_queries(few, count(), "board")


@pytest.mark.parametrize("accept", ["json", "page"])
def test_a_manager_of_the_owner_moves_a_card_on(world, accept):
    project = project_for(world.alpha, partners=[world.beta], stage=Stage.NEGOTIATING)
    client = client_for(world.alpha, world.person(world.alpha, Role.MANAGER))
    data = {"to_stage": Stage.DOCKED, "version": project.version, "next": _url("board") + "?tag=v2x"}
    response = client.post(_move_url(project), data, **(JSON if accept == "json" else {}))
    assert _state(project) == (Stage.DOCKED, 2, 2)
    if accept == "json":
        body = response.json()
        assert response.status_code == 200 and (body["stage"], body["version"]) == (Stage.DOCKED, 2)
        assert f'id="card-{project.pk}"' in body["html"] and 'data-stage="docked"' in body["html"]
        assert 'value="signed"' in body["html"]  # the card's menu offers the moves from its new stage
    else:
        assert (response.status_code, response["Location"]) == (302, _url("board") + "?tag=v2x")


def test_moving_back_without_a_reason_is_refused_clearly_and_changes_nothing(world):
    project = project_for(world.alpha, stage=Stage.SIGNED)
    client = client_for(world.alpha, world.person(world.alpha, Role.MANAGER))
    before = _state(project)
    data = {"to_stage": Stage.DOCKED, "version": project.version, "reason": "  "}
    response = client.post(_move_url(project), data, **JSON)
    assert response.status_code == 400
    assert response.json()["errors"] == [{"attr": "reason", "detail": "Moving a project back needs a reason."}]
    page = client.post(_move_url(project), data)
    assert page.status_code == 400 and "Moving a project back needs a reason." in page.content.decode()
    assert _state(project) == before
    moved = client.post(_move_url(project), {**data, "reason": "Contract renegotiated"}, **JSON)
    assert moved.status_code == 200 and _state(project) == (Stage.DOCKED, 2, 2)


def test_the_stage_page_is_prefilled_with_the_target(world):
    project = project_for(world.alpha, stage=Stage.SIGNED)
    client = client_for(world.alpha, world.person(world.alpha, Role.MANAGER))
    page = client.get(_move_url(project) + "?to=docked&next=/projects/").content.decode()
    assert '<option value="docked" selected>' in page and 'name="next" value="/projects/"' in page
    outside = client.get(_move_url(project) + "?to=docked&next=https://evil.example/").content.decode()
    assert "Cancel" in outside and 'href="https://evil.example/"' not in outside


def test_another_partner_cannot_move_a_card(world):
    """Beta takes part but does not own the project: 403, nothing changed; a project beta does not see: 404."""
    shared = project_for(world.alpha, partners=[world.beta], stage=Stage.NEGOTIATING)
    private = project_for(world.alpha, stage=Stage.NEGOTIATING)
    beta = client_for(world.beta, world.person(world.beta, Role.OWNER))
    for project, status in ((shared, 403), (private, 404)):
        before = _state(project)
        response = beta.post(_move_url(project), {"to_stage": Stage.DOCKED, "version": project.version}, **JSON)
        assert response.status_code == status
        assert beta.get(_move_url(project)).status_code == status
        assert _state(project) == before
    response = beta.post(_move_url(shared), {"to_stage": Stage.DOCKED, "version": 1}, **JSON)
    assert "owner partner" in response.json()["errors"][0]["detail"]


@pytest.mark.parametrize("role", [Role.VIEWER, Role.MEMBER])
def test_a_viewer_or_member_cannot_move_and_is_told_the_role_needed(world, role):
    project = project_for(world.alpha, stage=Stage.NEGOTIATING)
    client = client_for(world.alpha, world.person(world.alpha, role))
    before = _state(project)
    response = client.post(_move_url(project), {"to_stage": Stage.DOCKED, "version": project.version}, **JSON)
    assert response.status_code == 403
    assert "Manager" in response.json()["errors"][0]["detail"]
    page = client.post(_move_url(project), {"to_stage": Stage.DOCKED, "version": project.version})
    assert page.status_code == 403 and "Manager" in page.content.decode()
    assert _state(project) == before


def test_a_stale_card_gets_a_conflict_and_nothing_is_overwritten(world):
    project = project_for(world.alpha, stage=Stage.NEGOTIATING)
    client = client_for(world.alpha, world.person(world.alpha, Role.MANAGER))
    client.post(_move_url(project), {"to_stage": Stage.DOCKED, "version": 1}, **JSON)
    stale = client.post(_move_url(project), {"to_stage": Stage.WITHDRAWN, "version": 1}, **JSON)
    assert stale.status_code == 409 and "Reload" in stale.json()["errors"][0]["detail"]
    assert _state(project) == (Stage.DOCKED, 2, 2)


def test_the_api_list_takes_the_same_filters(world):
    manager = world.person(world.alpha, Role.MANAGER)
    services.project_create(partner=world.alpha, role=Role.MANAGER, user=manager, title="Mine", partners=[world.beta])
    project_for(world.alpha, title="Other")
    client = client_for(world.alpha, manager)

    def titles(query: str) -> set[str]:
        return {row["title"] for row in client.get("/api/v1/projects/" + query).json()["results"]}

    assert titles("?mine=true") == {"Mine"}
    assert titles(f"?partner={world.beta.pk}") == {"Mine"}
    assert titles("") == {"Mine", "Other"}


def test_signing_asks_for_the_agreement_as_evidence(world):
    """Moving on to "signed" needs a document: refused without one (nothing changed), done with one."""
    project = project_for(world.alpha, partners=[world.beta], stage=Stage.DOCKED)
    client = client_for(world.alpha, world.person(world.alpha, Role.MANAGER))
    board = client.get(_url("board")).content.decode()
    assert 'value="signed" data-needs-evidence="Moving to “Signed” needs the signed agreement as evidence."' in board
    for page in (_url("project-detail", pk=project.pk), _move_url(project) + "?to=signed"):
        assert "Moving to “Signed” needs the signed agreement as evidence." in client.get(page).content.decode()
    before = _state(project)
    refused = client.post(_move_url(project), {"to_stage": Stage.SIGNED, "version": 1}, **JSON)
    assert refused.status_code == 400
    assert refused.json()["errors"] == [
        {"attr": "evidence", "detail": "Moving to “Signed” needs the signed agreement as evidence."}
    ]
    assert _state(project) == before and not Document.objects.filter(project=project).exists()
    agreement = SimpleUploadedFile("agreement.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
    moved = client.post(_move_url(project), {"to_stage": Stage.SIGNED, "version": 1, "evidence": agreement}, **JSON)
    assert moved.status_code == 200 and _state(project) == (Stage.SIGNED, 2, 2)
    step = Transition.objects.get(project=project, to_stage=Stage.SIGNED)
    assert step.evidence.name == "agreement.pdf"


def test_the_api_takes_the_evidence_as_multipart(world):
    project = project_for(world.alpha, stage=Stage.DOCKED)
    client = client_for(world.alpha, world.person(world.alpha, Role.MANAGER))
    url = f"/api/v1/projects/{project.pk}/transition/"
    refused = client.post(url, {"to_stage": Stage.SIGNED, "version": 1}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["errors"][0]["attr"] == "evidence"
    agreement = SimpleUploadedFile("agreement.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
    moved = client.post(url, {"to_stage": Stage.SIGNED, "version": 1, "evidence": agreement})
    assert moved.status_code == 201 and moved.json()["evidence"]
    assert _state(project)[0] == Stage.SIGNED
