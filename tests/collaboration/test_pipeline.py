"""Every allowed and forbidden stage change, per role and partner; denied paths change nothing."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_tenants.utils import schema_context

from portal.collaboration import services
from portal.collaboration.choices import Stage
from portal.collaboration.models import Project, Transition
from portal.collaboration.pipeline import EVIDENCE, ORDER, TRANSITIONS
from portal.inbox.choices import Delivery
from portal.inbox.services import preference_update
from tenants.choices import ROLE_RANK, Role
from tests.conftest import client_for

from ..inbox.factories import inbox_of
from .factories import project_for

# (actor partner, role): alpha owns the project, beta takes part in it.
ACTORS = [
    ("alpha", Role.OWNER),
    ("alpha", Role.MANAGER),
    ("alpha", Role.MEMBER),
    ("alpha", Role.VIEWER),
    ("beta", Role.OWNER),
    ("beta", Role.MANAGER),
]
PAIRS = [(a, b) for a in Stage.values for b in Stage.values if a != b]


def _expected(frm, to, schema, role) -> bool:
    return (frm, to) in TRANSITIONS and schema == "alpha" and ROLE_RANK[role] >= ROLE_RANK[Role.MANAGER]


def test_table_shape():
    assert TRANSITIONS[(Stage.PROPOSED, Stage.NEGOTIATING)] == "forward"
    assert TRANSITIONS[(Stage.SIGNED, Stage.DOCKED)] == "back"
    assert (Stage.PROPOSED, Stage.DOCKED) not in TRANSITIONS  # no skipping
    assert not [pair for pair in TRANSITIONS if pair[0] in (Stage.LAUNCHED, Stage.WITHDRAWN, Stage.FAILED)]
    assert all((stage, Stage.WITHDRAWN) in TRANSITIONS for stage in Stage.values[:6])


@pytest.mark.parametrize(("frm", "to"), PAIRS, ids=lambda v: v)
@pytest.mark.parametrize(("schema", "role"), ACTORS, ids=lambda v: v)
def test_transition_matrix(world, frm, to, schema, role):
    project = project_for(world.alpha, partners=[world.beta], stage=frm)
    actor = getattr(world, schema)
    before = Transition.objects.filter(project=project).count()
    call = {
        "project": project,
        "version": project.version,
        "to_stage": to,
        "partner": actor,
        "role": role,
        "user": world.person(actor, role),
        "reason": "Customer asked for a re-test",
    }
    if TRANSITIONS.get((frm, to)) == "forward" and to in EVIDENCE:  # signing needs the agreement
        call["evidence"] = SimpleUploadedFile("agreement.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
    if _expected(frm, to, schema, role):
        step = services.project_transition(**call)
        project.refresh_from_db()
        assert (project.stage, step.from_stage, step.to_stage, step.by_partner) == (to, frm, to, actor)
        assert step.by_user == world.person(actor, role) and step.reason
        assert project.version == 2
    else:
        with pytest.raises(PermissionDenied):
            services.project_transition(**call)
        project.refresh_from_db()
        assert (project.stage, project.version) == (frm, 1)
        assert Transition.objects.filter(project=project).count() == before


def test_moving_back_needs_a_reason(world):
    project = project_for(world.alpha, stage=Stage.SIGNED)
    with pytest.raises(ValidationError):
        services.project_transition(
            project=project,
            version=1,
            to_stage=Stage.DOCKED,
            partner=world.alpha,
            role=Role.MANAGER,
            user=None,
            reason="  ",
        )
    project.refresh_from_db()
    assert (project.stage, project.version, project.transitions.count()) == (Stage.SIGNED, 1, 1)


def test_stage_change_tells_participants_and_mails_after_commit(world, mailoutbox, django_capture_on_commit_callbacks):
    project = project_for(world.alpha, partners=[world.beta])
    with schema_context(world.beta.schema_name):
        preference_update(user=world.person(world.beta, Role.OWNER), delivery=Delivery.INSTANT, muted=[])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.project_transition(
            project=project, version=1, to_stage=Stage.NEGOTIATING, partner=world.alpha, role=Role.MANAGER, user=None
        )
    told = {email for partner in (world.alpha, world.beta) for email, kind in inbox_of(partner) if kind == "stage"}
    assert told == {f"{role}@{s}.example.com" for s in ("alpha", "beta") for role in ("owner", "manager")}
    assert mailoutbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    # Whoever chose an e-mail for each notice gets one; the others wait for the daily digest.
    assert [mail.to for mail in mailoutbox] == [["owner@beta.example.com"]]


def test_stale_versions_conflict_and_nothing_is_lost(world):
    """Two people read version 1; the first write wins, the second gets a conflict, not a silent overwrite."""
    project = project_for(world.alpha, partners=[world.beta])
    first, second = Project.objects.get(pk=project.pk), Project.objects.get(pk=project.pk)
    services.project_update(project=first, version=1, partner=world.alpha, role=Role.MANAGER, user=None, title="First")
    with pytest.raises(services.VersionConflictError):
        services.project_update(
            project=second, version=1, partner=world.alpha, role=Role.OWNER, user=None, title="Second"
        )
    with pytest.raises(services.VersionConflictError):
        services.project_transition(
            project=second, version=1, to_stage=Stage.NEGOTIATING, partner=world.alpha, role=Role.OWNER, user=None
        )
    project.refresh_from_db()
    assert (project.title, project.version, project.stage) == ("First", 2, Stage.PROPOSED)
    assert project.transitions.count() == 1


@pytest.mark.parametrize("stage", [Stage.PROPOSED, Stage.NEGOTIATING, Stage.SIGNED, Stage.PILOT])
def test_stage_form_preselects_the_next_stage_and_changing_stage_by_default_succeeds(world, stage):
    """The form's default is the next stage, so "Change stage" as offered moves the project on, with no reason."""
    project = project_for(world.alpha, stage=stage)
    manager = client_for(world.alpha, world.person(world.alpha, Role.MANAGER))
    page = manager.get(reverse("collaboration:project-detail", kwargs={"pk": project.pk}, urlconf="portal.urls_tenant"))
    stage_select = re.search(r'<select name="to_stage".*?</select>', page.content.decode(), re.S).group(0)
    selected = re.findall(r'<option value="([a-z_]+)"[^>]*selected', stage_select)
    expected = ORDER[ORDER.index(stage) + 1]
    assert selected == [expected]
    moved = manager.post(
        reverse("collaboration:project-transition", kwargs={"pk": project.pk}, urlconf="portal.urls_tenant"),
        {"to_stage": selected[0], "version": project.version},
    )
    assert moved.status_code == 302
    project.refresh_from_db()
    assert project.stage == expected
