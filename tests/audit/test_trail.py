"""The audit trail: what is recorded (who, what, when, partner, request id), who may read it, and no secrets."""

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django_tenants.utils import schema_context

from portal.audit.choices import AuditAction
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record, scrub
from portal.collaboration import services as collaboration
from portal.collaboration.choices import Stage
from portal.core.requests import TASK_HEADER, _carry_request_id, current_request_id
from portal.integrations.services import api_key_create, api_key_revoke
from portal.vehicles.importing import services as importing
from portal.vehicles.importing.pipeline import import_run
from tenants.choices import Role
from tenants.models import Membership
from tenants.services import membership_grant

from ..collaboration.factories import project_for
from ..conftest import client_for
from ..queries import query_budget
from ..vehicles.import_samples import csv_bytes, good_rows, media_root, setup_partner

PAGE = "/settings/audit/"
API = "/api/v1/audit-events/"


def events(action, **filters):
    return list(AuditEvent.objects.filter(action=action, **filters).order_by("id"))


def dump() -> str:
    """Every stored audit value as text: what a secret must never be part of."""
    return json.dumps(list(AuditEvent.objects.values()), default=str)


def test_sign_in_records_person_partner_utc_time_and_request_id(world, password):
    client = client_for(world.alpha)
    response = client.post(
        reverse("login"), {"username": "owner@alpha.example.com", "password": password}, HTTP_X_REQUEST_ID="trace-42"
    )
    assert response.status_code == 302
    assert response["X-Request-ID"] == "trace-42"
    (event,) = events(AuditAction.LOGIN)
    assert (event.actor, event.partner, event.request_id) == (
        world.person(world.alpha, Role.OWNER),
        world.alpha,
        "trace-42",
    )
    assert event.at.utcoffset().total_seconds() == 0
    assert event.ip_address == "127.0.0.1" and event.path == reverse("login")
    assert password not in dump()


def test_failed_sign_in_and_lock_out_are_recorded_without_the_password(world, settings):
    client = client_for(world.alpha)
    for attempt in range(settings.LOGIN_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "Member@alpha.example.com", "password": f"guess-{attempt}-x"})
    failed = events(AuditAction.LOGIN_FAILED)
    assert len(failed) == settings.LOGIN_FAILURE_LIMIT
    assert {(event.actor_label, event.partner) for event in failed} == {("member@alpha.example.com", world.alpha)}
    assert events(AuditAction.LOCKED_OUT), "the lock-out itself is an event"
    assert "guess-" not in dump()


def test_invented_request_ids_are_replaced_not_trusted(world):
    response = client_for(None).get("/", HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert response["X-Request-ID"] != "bad id\nwith newline"
    assert len(response["X-Request-ID"]) == 32
    assert client_for(None).get("/")["X-Request-ID"] != response["X-Request-ID"]


def test_refused_pages_and_api_calls_are_recorded(world):
    outsider = world.person(world.beta, Role.OWNER)
    assert client_for(world.alpha, outsider).get("/vehicles/").status_code == 403
    viewer = client_for(world.alpha, world.person(world.alpha, Role.VIEWER))
    assert viewer.post("/api/v1/vehicle-models/", {}, content_type="application/json").status_code == 403
    denied = events(AuditAction.PERMISSION_DENIED)
    assert [(e.actor, e.partner, e.method, e.path) for e in denied] == [
        (outsider, world.alpha, "GET", "/vehicles/"),
        (world.person(world.alpha, Role.VIEWER), world.alpha, "POST", "/api/v1/vehicle-models/"),
    ]


def test_role_and_membership_changes_are_recorded_whatever_the_path(world):
    membership_grant(partner=world.alpha, email="new.person@alpha.example.com", role=Role.VIEWER)
    membership_grant(partner=world.alpha, email="new.person@alpha.example.com", role=Role.MANAGER)
    Membership.objects.get(user__email="new.person@alpha.example.com").delete()  # e.g. the admin's inline
    recorded = [(e.action, e.details) for e in AuditEvent.objects.filter(partner=world.alpha).order_by("id")]
    assert recorded == [
        (AuditAction.MEMBERSHIP_ADDED, {"email": "new.person@alpha.example.com", "role": "viewer"}),
        (AuditAction.ROLE_CHANGED, {"email": "new.person@alpha.example.com", "from": "viewer", "to": "manager"}),
        (AuditAction.MEMBERSHIP_REMOVED, {"email": "new.person@alpha.example.com", "role": "manager"}),
    ]


def test_api_keys_created_and_revoked_are_recorded_but_never_the_secret(world):
    client = client_for(world.alpha, world.person(world.alpha, Role.MANAGER))
    created = client.post("/api/v1/api-keys/", {"name": "MES"}, content_type="application/json").json()
    assert client.delete(f"/api/v1/api-keys/{created['prefix']}/").status_code == 204
    made, revoked = events(AuditAction.API_KEY_CREATED)[0], events(AuditAction.API_KEY_REVOKED)[0]
    manager = world.person(world.alpha, Role.MANAGER)
    assert (made.actor, made.partner, made.details["prefix"]) == (manager, world.alpha, created["prefix"])
    assert (revoked.actor, revoked.target_id) == (manager, made.target_id)
    secret = created["key"]
    assert secret not in dump() and secret.split(".")[1] not in dump()


def test_invalid_api_keys_are_recorded_with_their_prefix_only(world):
    key, raw = api_key_create(partner=world.alpha, name="old")
    api_key_revoke(key=key)
    assert client_for(world.alpha).get("/api/v1/me/", HTTP_AUTHORIZATION=f"Api-Key {raw}").status_code == 401
    (event,) = events(AuditAction.API_KEY_REFUSED)
    assert event.details == {"prefix": key.prefix} and event.partner == world.alpha
    assert raw not in dump()


def test_imports_are_recorded_from_upload_to_finish(world, tmp_path, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(importing, "import_job_queue", lambda *, job: None)
    member = world.person(world.alpha, Role.MEMBER)
    with media_root(tmp_path):
        model = setup_partner(world.alpha)
        content = csv_bytes(good_rows(world.alpha, model.name, 3))
        client = client_for(world.alpha, member)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/vehicles/imports/new/",
                {"market": "CN", "mode": "all_or_nothing", "file": SimpleUploadedFile("v.csv", content)},
            )
        assert response.status_code == 302
        (created,) = events(AuditAction.IMPORT_CREATED)
        with schema_context("alpha"):
            import_run(job_id=created.target_id)
    (finished,) = events(AuditAction.IMPORT_FINISHED)
    assert (created.actor, created.partner, created.details["file"]) == (member, world.alpha, "v.csv")
    assert (finished.actor, finished.partner, finished.target_id) == (member, world.alpha, created.target_id)
    assert finished.details["status"] == "succeeded" and finished.details["created"] == 3


def test_project_stage_changes_are_recorded(world):
    project = project_for(world.alpha, partners=[world.beta])
    manager = world.person(world.alpha, Role.MANAGER)
    collaboration.project_transition(
        project=project, version=1, to_stage=Stage.NEGOTIATING, partner=world.alpha, role=Role.MANAGER, user=manager
    )
    (event,) = events(AuditAction.PROJECT_STAGE_CHANGED)
    assert (event.actor, event.partner, event.target_id) == (manager, world.alpha, str(project.pk))
    assert (event.details["from"], event.details["to"]) == (Stage.PROPOSED, Stage.NEGOTIATING)


def test_tasks_carry_the_request_id_that_sent_them():
    token = current_request_id.set("req-7")
    try:
        headers = {}
        _carry_request_id(headers=headers)
    finally:
        current_request_id.reset(token)
    assert headers == {TASK_HEADER: "req-7"}


@pytest.mark.parametrize(
    ("details", "kept", "gone"),
    [
        ({"password": "hunter2-hunter2"}, {"password": "[redacted]"}, "hunter2"),
        ({"api_key": "abc"}, {"api_key": "[redacted]"}, "abc"),
        ({"note": "use AbCdEfGh.0123456789abcdef0123456789ABCDEF now"}, None, "0123456789abcdef"),
        ({"header": "Authorization: Bearer eyJhbGciOi.x.y"}, None, "eyJhbGciOi"),
        ({"nested": [{"token": "t0k3n"}]}, {"nested": [{"token": "[redacted]"}]}, "t0k3n"),
    ],
)
def test_scrub_removes_secrets_by_name_and_by_shape(details, kept, gone):
    scrubbed = scrub(details)
    assert gone not in json.dumps(scrubbed)
    if kept is not None:
        assert scrubbed == kept


def test_a_failing_audit_write_never_breaks_the_callers_work(world, monkeypatch):
    from portal.audit import services

    def broken_save(self, *args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services.AuditEvent, "save", broken_save)
    assert audit_record(action=AuditAction.LOGIN, partner=world.alpha) is None
    assert client_for(world.alpha, world.person(world.alpha, Role.OWNER)).get("/").status_code == 200


# Who may read it -------------------------------------------------------------------------------------------------


@pytest.fixture
def trail(world):
    """One event of each partner, and one of the public host."""
    audit_record(action=AuditAction.LOGIN, actor=world.person(world.alpha, Role.OWNER), partner=world.alpha)
    audit_record(action=AuditAction.LOGIN, actor=world.person(world.beta, Role.OWNER), partner=world.beta)
    audit_record(action=AuditAction.LOGIN, actor=world.staff)
    return world


@pytest.mark.parametrize(("role", "allowed"), [(Role.OWNER, True), (Role.MANAGER, False), (Role.VIEWER, False)])
def test_owners_read_their_partners_trail_only(trail, role, allowed):
    client = client_for(trail.alpha, trail.person(trail.alpha, role))
    page, api = client.get(PAGE), client.get(API)
    assert (page.status_code, api.status_code) == ((200, 200) if allowed else (403, 403))
    if allowed:
        assert b"owner@alpha.example.com" in page.content
        assert {item["partner"] for item in api.json()["results"]} == {"alpha"}
    for response in (page, api):
        assert b"owner@beta.example.com" not in response.content and b"staff@example.com" not in response.content


def test_other_partners_keys_and_anonymous_visitors_read_nothing(trail):
    _key, raw = api_key_create(partner=trail.alpha, name="ERP", scopes=["vehicles:write"])
    assert client_for(trail.alpha).get(API, HTTP_AUTHORIZATION=f"Api-Key {raw}").status_code == 403
    assert client_for(None).get(API, HTTP_AUTHORIZATION=f"Api-Key {raw}").status_code == 403
    assert client_for(trail.alpha).get(PAGE).status_code == 302
    assert client_for(trail.alpha, trail.person(trail.beta, Role.OWNER)).get(PAGE).status_code == 403


def test_staff_read_every_partners_trail_on_the_public_host(trail):
    client = client_for(None, trail.staff)
    page = client.get("/staff/audit/")
    assert page.status_code == 200
    for email in (b"owner@alpha.example.com", b"owner@beta.example.com", b"staff@example.com"):
        assert email in page.content
    assert client.get(f"{API}?partner={trail.beta.pk}").json()["results"][0]["partner"] == "beta"
    assert client.get("/admin/audit/auditevent/").status_code == 200
    owner = client_for(None, trail.person(trail.alpha, Role.OWNER))
    assert owner.get("/staff/audit/").status_code == 302
    assert owner.get(API).status_code == 403


def test_events_cannot_be_changed_or_deleted_in_the_admin(trail):
    client = client_for(None, trail.staff)
    event = AuditEvent.objects.first()
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    assert client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_csv_export_is_filtered_and_formula_safe(world):
    audit_record(action=AuditAction.LOGIN_FAILED, actor='=HYPERLINK("http://evil")', partner=world.alpha)
    audit_record(action=AuditAction.LOGIN, actor=world.person(world.alpha, Role.OWNER), partner=world.alpha)
    staff = client_for(None, world.staff)  # owners would see "someone outside": staff see the typed label
    response = staff.get(f"/staff/audit/export.csv?action=auth.login_failed&partner={world.alpha.pk}")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 2
    assert rows[1][2] == '\'=HYPERLINK("http://evil")'
    owner = client_for(world.alpha, world.person(world.alpha, Role.OWNER))
    mine = owner.get("/settings/audit/export.csv?action=auth.login")
    assert len(list(csv.reader(io.StringIO(b"".join(mine.streaming_content).decode("utf-8-sig"))))) == 2


def test_list_page_and_api_have_a_query_budget(world):
    for _index in range(30):
        audit_record(action=AuditAction.LOGIN, actor=world.person(world.alpha, Role.OWNER), partner=world.alpha)
    client = client_for(world.alpha, world.person(world.alpha, Role.OWNER))
    client.get(PAGE)
    with query_budget(12):
        assert client.get(PAGE).status_code == 200
    with query_budget(12):
        assert len(client.get(API).json()["results"]) >= 30
    connection.set_schema_to_public()


def test_owners_are_not_told_which_outsider_was_refused_but_staff_are(world):
    intruder = world.person(world.beta, Role.OWNER)
    assert client_for(world.alpha, intruder).get("/vehicles/").status_code == 403
    event = events(AuditAction.PERMISSION_DENIED)[0]
    assert event.outsider and event.actor == intruder and event.partner == world.alpha
    owner = client_for(world.alpha, world.person(world.alpha, Role.OWNER))
    page, api = owner.get(PAGE), owner.get(API)
    assert b"Someone outside your partner" in page.content and intruder.email.encode() not in page.content
    assert api.json()["results"][0]["actor"] == "Someone outside your partner"
    assert intruder.email in client_for(None, world.staff).get(API).content.decode()
