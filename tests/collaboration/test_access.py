"""A non-participant partner cannot see or change a project, its documents or timeline: pages, API, files, search."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_tenants.utils import schema_context

from portal.collaboration import services
from portal.collaboration.choices import Stage
from portal.collaboration.models import Document, Project
from portal.collaboration.notes.models import ProjectNote
from portal.integrations.services import api_key_create
from tenants.choices import Role
from tests.conftest import client_for

from .factories import invite, project_for

PDF = b"%PDF-1.4 contract\n%%EOF"
SECRET = "Zeppelin swap pack"


def url(name, **kwargs):
    return reverse(f"collaboration:{name}", kwargs=kwargs or None, urlconf="portal.urls_tenant")


def api(name, **kwargs):
    return reverse(f"v1:{name}", kwargs=kwargs or None, urlconf="portal.urls_tenant")


def _upload(project, partner, name="contract.pdf", content=PDF, content_type="application/pdf"):
    return services.document_upload(
        project=project,
        partner=partner,
        role=Role.MEMBER,
        user=None,
        file=SimpleUploadedFile(name, content, content_type=content_type),
    )


@pytest.fixture
def alpha_project(world):
    project = project_for(world.alpha, title=SECRET)
    _upload(project, world.alpha)
    return project


def test_participant_pages_work(world, alpha_project):
    client = client_for(world.alpha, world.person(world.alpha, Role.VIEWER))
    for path in [
        url("board"),
        url("project-list"),
        url("project-detail", pk=alpha_project.pk),
        url("funnel"),
        url("product-list"),
        url("market"),
        url("project-export"),
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
    assert SECRET in client.get(url("project-list") + "?q=zeppelin").content.decode()
    document = alpha_project.documents.get()
    response = client.get(url("document-download", pk=document.pk))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")


def test_non_participant_sees_nothing_on_its_own_host(world, alpha_project):
    client = client_for(world.beta, world.person(world.beta, Role.OWNER))
    document = alpha_project.documents.get()
    for path in [
        url("board"),
        url("project-list"),
        url("project-list") + "?q=zeppelin",
        url("project-export"),
        url("funnel"),
    ]:
        response = client.get(path)
        assert response.status_code == 200 and SECRET not in response.content.decode(), path
    for path in [
        url("project-detail", pk=alpha_project.pk),
        url("project-edit", pk=alpha_project.pk),
        url("document-download", pk=document.pk),
    ]:
        assert client.get(path).status_code == 404, path
    for name, data in [
        ("project-transition", {"to_stage": "negotiating", "version": 1}),
        ("participant-invite", {"partner": world.beta.pk}),
        ("participant-respond", {"action": "accept"}),
        ("milestone-create", {"title": "x", "due_date": "2027-01-01"}),
        ("note-create", {"text": "x"}),
    ]:
        response = client.post(url(name, pk=alpha_project.pk), data)
        assert response.status_code in (403, 404), name
    alpha_project.refresh_from_db()
    assert (alpha_project.stage, alpha_project.version) == (Stage.PROPOSED, 1)
    assert alpha_project.participants.count() == 1 and alpha_project.milestones.count() == 0
    with schema_context("beta"):
        assert not ProjectNote.objects.filter(project_id=alpha_project.pk).exists()


@pytest.mark.parametrize("how", ["session", "key"])
def test_non_participant_sees_nothing_in_the_api(world, alpha_project, how):
    headers = {}
    client = client_for(world.beta, world.person(world.beta, Role.OWNER) if how == "session" else None)
    if how == "key":
        headers["HTTP_AUTHORIZATION"] = (
            "Api-Key " + api_key_create(partner=world.beta, name="k", scopes=["collaboration:write"])[1]
        )
    listing = client.get(api("project-list") + "?q=zeppelin", **headers)
    assert listing.status_code == 200 and listing.json()["count"] == 0
    for name in ["project-detail", "project-timeline"]:
        assert client.get(api(name, pk=alpha_project.pk), **headers).status_code == 404
    assert client.get(api("project-transition-list") + f"?project={alpha_project.pk}", **headers).json()["count"] == 0
    for name, data in [
        ("project-transition", {"to_stage": "negotiating", "version": 1}),
        ("project-accept", {}),
        ("project-invite", {"partner": world.beta.pk}),
    ]:
        response = client.post(api(name, pk=alpha_project.pk), data, content_type="application/json", **headers)
        assert response.status_code == 404, name
    response = client.patch(
        api("project-detail", pk=alpha_project.pk),
        {"title": "Hijacked", "version": 1},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 404
    alpha_project.refresh_from_db()
    assert (alpha_project.title, alpha_project.version, alpha_project.participants.count()) == (SECRET, 1, 1)


def test_invited_partner_sees_the_invitation_but_not_the_documents(world, alpha_project):
    invite(alpha_project, world.beta)
    manager = client_for(world.beta, world.person(world.beta, Role.MANAGER))
    page = manager.get(url("project-detail", pk=alpha_project.pk))
    assert page.status_code == 200 and "contract.pdf" not in page.content.decode()
    assert manager.get(url("document-download", pk=alpha_project.documents.get().pk)).status_code == 404
    assert manager.get(api("project-timeline", pk=alpha_project.pk)).status_code == 404
    manager.post(url("participant-respond", pk=alpha_project.pk), {"action": "accept"})
    assert manager.get(url("document-download", pk=alpha_project.documents.get().pk)).status_code == 200
    assert manager.get(api("project-timeline", pk=alpha_project.pk)).json()["count"] >= 3


def test_upload_checks_size_and_type(world):
    project = project_for(world.alpha)
    client = client_for(world.alpha, world.person(world.alpha, Role.MEMBER))
    cases = [
        ("run.exe", b"MZ\x90\x00", "application/x-msdownload"),
        ("fake.pdf", b"MZ\x90\x00 not a pdf", "application/pdf"),
        ("big.pdf", b"%PDF" + b"0" * (10 * 1024 * 1024), "application/pdf"),
    ]
    for name, content, content_type in cases:
        file = SimpleUploadedFile(name, content, content_type=content_type)
        response = client.post(url("document-upload", pk=project.pk), {"file": file})
        assert response.status_code == 302
    assert not Document.objects.filter(project=project).exists()
    ok = SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n....", content_type="image/png")
    client.post(url("document-upload", pk=project.pk), {"file": ok})
    assert Document.objects.filter(project=project, content_type="image/png").count() == 1
    viewer = client_for(world.alpha, world.person(world.alpha, Role.VIEWER))
    viewer.post(url("document-upload", pk=project.pk), {"file": SimpleUploadedFile("a.pdf", PDF, "application/pdf")})
    assert Document.objects.filter(project=project).count() == 1


def test_documents_have_no_public_url(world, alpha_project):
    document = alpha_project.documents.get()
    with pytest.raises(ValueError):
        document.file.url  # noqa: B018 -- private storage has no base URL
    assert client_for(world.alpha).get(url("document-download", pk=document.pk)).status_code == 302


def test_staff_pages_on_the_public_host(world, alpha_project):
    staff = client_for(None, world.staff)
    for path in ["/projects/", "/projects/list/?q=zeppelin", f"/projects/{alpha_project.pk}/"]:
        response = staff.get(path)
        assert response.status_code == 200 and SECRET in response.content.decode(), path
    assert staff.get("/projects/funnel/").status_code == 200
    document = alpha_project.documents.get()
    assert staff.get(f"/projects/documents/{document.pk}/").status_code == 200
    member = client_for(None, world.person(world.alpha, Role.OWNER))
    assert member.get("/projects/").status_code == 302
    assert client_for(None, world.staff).get(api("project-list")).json()["count"] >= 1


def test_web_forms_create_edit_move_and_conflict(world):
    manager = client_for(world.alpha, world.person(world.alpha, Role.MANAGER))
    response = manager.post(url("project-create"), {"title": "OTA hub", "tags": ["ota"], "markets": ["TH"]})
    project = Project.objects.get(title="OTA hub")
    assert response.status_code == 302 and project.owner == world.alpha and project.markets == ["TH"]
    manager.post(url("project-transition", pk=project.pk), {"to_stage": "negotiating", "version": 1})
    project.refresh_from_db()
    assert (project.stage, project.version) == (Stage.NEGOTIATING, 2)
    stale = manager.post(url("project-edit", pk=project.pk), {"title": "Stale edit", "version": 1})
    assert stale.status_code == 200 and "changed this project meanwhile" in stale.content.decode()
    project.refresh_from_db()
    assert project.title == "OTA hub"
    member = client_for(world.alpha, world.person(world.alpha, Role.MEMBER))
    assert member.get(url("project-edit", pk=project.pk)).status_code == 403
    viewer = client_for(world.alpha, world.person(world.alpha, Role.VIEWER))
    viewer.post(url("project-create"), {"title": "By a viewer"})
    assert not Project.objects.filter(title="By a viewer").exists()


def test_api_concurrent_patch_gets_409(world):
    project = project_for(world.alpha)
    client = client_for(world.alpha, world.person(world.alpha, Role.MANAGER))
    path = api("project-detail", pk=project.pk)
    first = client.patch(path, {"title": "A", "version": 1}, content_type="application/json")
    second = client.patch(path, {"title": "B", "version": 1}, content_type="application/json")
    assert first.status_code == 200 and first.json()["version"] == 2
    assert second.status_code == 409
    project.refresh_from_db()
    assert (project.title, project.version) == ("A", 2)
    moved = client.post(
        api("project-transition", pk=project.pk),
        {"to_stage": "negotiating", "version": 2},
        content_type="application/json",
    )
    assert moved.status_code == 201
    bad = client.post(
        api("project-transition", pk=project.pk),
        {"to_stage": "launched", "version": 3},
        content_type="application/json",
    )
    assert bad.status_code == 403


def test_private_notes_stay_in_the_partners_schema(world):
    project = project_for(world.alpha, partners=[world.beta])
    client_for(world.alpha, world.person(world.alpha, Role.MEMBER)).post(
        url("note-create", pk=project.pk), {"text": "Alpha only"}
    )
    beta_page = client_for(world.beta, world.person(world.beta, Role.OWNER)).get(url("project-detail", pk=project.pk))
    assert beta_page.status_code == 200 and "Alpha only" not in beta_page.content.decode()
    alpha_page = client_for(world.alpha, world.person(world.alpha, Role.VIEWER)).get(
        url("project-detail", pk=project.pk)
    )
    assert "Alpha only" in alpha_page.content.decode()
    with schema_context("alpha"):
        assert ProjectNote.objects.filter(project_id=project.pk).count() == 1
    with schema_context("beta"):
        assert ProjectNote.objects.filter(project_id=project.pk).count() == 0


def test_milestone_done_only_by_participants(world):
    import datetime

    project = project_for(world.alpha, partners=[world.beta])
    milestone = services.milestone_create(
        project=project,
        partner=world.alpha,
        role=Role.MEMBER,
        user=None,
        title="B-sample",
        due_date=datetime.date(2027, 1, 1),
    )
    path = url("milestone-done", pk=project.pk, milestone_pk=milestone.pk)
    client_for(world.alpha, world.person(world.alpha, Role.VIEWER)).post(path, {"done": "1"})
    milestone.refresh_from_db()
    assert not milestone.done
    client_for(world.beta, world.person(world.beta, Role.MEMBER)).post(path, {"done": "1"})
    milestone.refresh_from_db()
    assert milestone.done
    other = project_for(world.beta, title="Beta alone")
    stranger = url("milestone-done", pk=other.pk, milestone_pk=milestone.pk)
    assert client_for(world.beta, world.person(world.beta, Role.OWNER)).post(stranger, {"done": "0"}).status_code == 404
    milestone.refresh_from_db()
    assert milestone.done  # a milestone is reached only through its own project


def test_stage_change_with_evidence_and_api_invitation_flow(world):
    project = project_for(world.alpha)
    manager = client_for(world.alpha, world.person(world.alpha, Role.MANAGER))
    evidence = SimpleUploadedFile("term-sheet.pdf", PDF, content_type="application/pdf")
    manager.post(
        url("project-transition", pk=project.pk),
        {"to_stage": "negotiating", "version": 1, "reason": "Term sheet", "evidence": evidence},
    )
    step = project.transitions.get(to_stage=Stage.NEGOTIATING)
    assert step.evidence.name == "term-sheet.pdf" and step.reason == "Term sheet"
    assert manager.get(url("document-download", pk=step.evidence_id)).status_code == 200
    beta = client_for(world.beta, world.person(world.beta, Role.MANAGER))
    assert beta.get(url("document-download", pk=step.evidence_id)).status_code == 404

    invited = manager.post(
        api("project-invite", pk=project.pk), {"partner": world.beta.pk}, content_type="application/json"
    )
    assert invited.status_code == 201 and invited.json()["status"] == "invited"
    assert beta.post(api("project-leave", pk=project.pk)).status_code == 403  # not yet in
    accepted = beta.post(api("project-accept", pk=project.pk))
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert beta.get(url("document-download", pk=step.evidence_id)).status_code == 200
    assert beta.post(api("project-leave", pk=project.pk)).status_code == 200
    assert beta.get(api("project-detail", pk=project.pk)).status_code == 404
