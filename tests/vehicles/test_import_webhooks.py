"""Every import job, of every kind, tells its partner's subscribed webhooks once when it ends (`import.finished`):
imported, refused, failed (also by the sweeper) or dry run; never another partner's endpoints, never an endpoint
that did not subscribe, and nothing of work that rolled back."""

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from portal.audit.choices import AuditAction
from portal.audit.models import AuditEvent
from portal.batteries.importing.targets import BATTERIES
from portal.inbox.choices import NoticeKind
from portal.inbox.models import Notice
from portal.integrations.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from portal.vehicles.choices import ImportMode, ImportStatus
from portal.vehicles.importing import pipeline, services
from portal.vehicles.importing.pipeline import import_run
from portal.vehicles.models import ImportJob, Vehicle
from tenants.choices import Role
from tests.batteries.factories import identifier_next
from tests.batteries.factories import model_make as battery_model_make

from .import_samples import csv_bytes, good_rows, job_make, media_root, setup_partner

pytestmark = pytest.mark.django_db

BAD_ROW = ("NOT-A-VIN", "Model", "2025-03-01", "Chongqing")


@pytest.fixture
def media(tmp_path):
    with media_root(tmp_path):
        yield tmp_path


@pytest.fixture
def hooks(world):
    """Both partners subscribe to import.finished; alpha also has an endpoint for another event only."""
    endpoints = {
        partner.slug: WebhookEndpoint.objects.create(
            partner=partner,
            url=f"https://hooks.{partner.slug}.example/in",
            events=[WebhookEvent.IMPORT_FINISHED],
            secret="s" * 64,
        )
        for partner in (world.alpha, world.beta)
    }
    endpoints["alpha-other"] = WebhookEndpoint.objects.create(
        partner=world.alpha,
        url="https://other.alpha.example/in",
        events=[WebhookEvent.VEHICLE_STATUS_CHANGED],
        secret="o" * 64,
    )
    return endpoints


def _run(partner, content, **fields):
    job = job_make(partner, content, **fields)
    with schema_context(partner.schema_name):
        import_run(job_id=job.pk, partner_id=partner.pk)
        job.refresh_from_db()
    return job


def _finished(endpoint) -> list[dict]:
    deliveries = WebhookDelivery.objects.filter(endpoint=endpoint, event=WebhookEvent.IMPORT_FINISHED)
    return [delivery.payload for delivery in deliveries.order_by("created_at")]


def _counts(data: dict) -> tuple:
    return tuple(data[key] for key in ("rows", "valid", "created", "updated", "unchanged", "rejected"))


def test_a_vehicle_import_sends_one_event_with_its_counts_and_links(world, media, hooks):
    model = setup_partner(world.alpha)
    rows = [*good_rows(world.alpha, model.name, 3), BAD_ROW]
    job = _run(world.alpha, csv_bytes(rows), mode=ImportMode.VALID_ROWS)
    assert (job.status, job.rows_created, job.rows_rejected) == (ImportStatus.SUCCEEDED, 3, 1), job.error_message

    (payload,) = _finished(hooks["alpha"])  # one event for the run
    assert (payload["event"], payload["partner"]) == (WebhookEvent.IMPORT_FINISHED, "alpha")
    data = payload["data"]
    assert (data["import_job"], data["kind"], data["file"]) == (str(job.pk), "vehicles", "vehicles.csv")
    assert (data["status"], data["outcome"], data["dry_run"], data["mode"]) == (
        "succeeded",
        "partly_imported",
        False,
        ImportMode.VALID_ROWS,
    )
    assert _counts(data) == (4, 3, 3, 0, 0, 1)
    assert data["error"] == "" and data["committed_from"] is None
    assert data["finished_at"] == job.finished_at.isoformat()
    assert data["url"].startswith("http") and "alpha" in data["url"]
    assert data["url"].endswith(f"/vehicles/imports/{job.pk}/")
    assert data["api_url"].endswith(f"/api/v1/vehicle-imports/{job.pk}/") and "alpha" in data["api_url"]

    # The same file again: every vehicle unchanged, one more event (per job), with its own counts.
    again = _run(world.alpha, csv_bytes(rows), mode=ImportMode.VALID_ROWS)
    assert [p["data"]["import_job"] for p in _finished(hooks["alpha"])] == [str(job.pk), str(again.pk)]
    assert _counts(_finished(hooks["alpha"])[1]["data"]) == (4, 3, 0, 0, 3, 1)
    # Another partner's endpoint and alpha's endpoint for another event receive nothing of it.
    assert _finished(hooks["beta"]) == [] and _finished(hooks["alpha-other"]) == []
    assert not WebhookDelivery.objects.filter(endpoint__partner=world.beta).exists()
    # A finished job run again (a redelivered task) is left as it is: no second event.
    with schema_context("alpha"):
        import_run(job_id=job.pk, partner_id=world.alpha.pk)
    assert len(_finished(hooks["alpha"])) == 2


def test_refused_and_failed_imports_send_one_event_with_their_status(world, media, hooks):
    model = setup_partner(world.alpha)
    refused = _run(world.alpha, csv_bytes([*good_rows(world.alpha, model.name, 2), BAD_ROW]))  # all or nothing
    empty = _run(world.alpha, csv_bytes([]))  # a header and no rows: the file fails
    assert refused.status == empty.status == ImportStatus.FAILED

    first, second = (payload["data"] for payload in _finished(hooks["alpha"]))
    assert (first["import_job"], first["status"], first["outcome"]) == (str(refused.pk), "failed", "refused")
    assert _counts(first) == (3, 2, 0, 0, 0, 1) and first["error"] == refused.error_message != ""
    assert (second["import_job"], second["status"], second["outcome"]) == (str(empty.pk), "failed", "failed")
    assert second["error"] == empty.error_message != "" and second["rows"] == 0
    with schema_context("alpha"):
        assert not Vehicle.objects.exists()
    assert _finished(hooks["beta"]) == [] and _finished(hooks["alpha-other"]) == []


def test_a_dry_run_sends_one_event_marked_dry_run(world, media, hooks):
    model = setup_partner(world.beta)
    job = _run(world.beta, csv_bytes(good_rows(world.beta, model.name, 2)), dry_run=True)
    (payload,) = _finished(hooks["beta"])
    data = payload["data"]
    assert (payload["partner"], data["import_job"], data["dry_run"]) == ("beta", str(job.pk), True)
    assert (data["status"], data["outcome"]) == ("succeeded", "dry_run")
    assert _counts(data) == (2, 2, 2, 0, 0, 0)  # what the run would create
    with schema_context("beta"):
        assert not Vehicle.objects.exists()
    assert _finished(hooks["alpha"]) == []


def test_a_battery_import_sends_import_finished_and_its_passport_event(world, media):
    endpoint = WebhookEndpoint.objects.create(
        partner=world.alpha,
        url="https://hooks.alpha.example/in",
        events=[WebhookEvent.IMPORT_FINISHED, WebhookEvent.PASSPORT_CHANGED],
        secret="s" * 64,
    )
    theirs = WebhookEndpoint.objects.create(
        partner=world.beta, url="https://hooks.beta.example/in", events=[WebhookEvent.IMPORT_FINISHED], secret="t" * 64
    )
    model = battery_model_make(world.alpha)
    rows = [(identifier_next(), model.code) for _ in range(2)]
    job = _run(
        world.alpha,
        csv_bytes(rows, header=["identifier", "model"]),
        name="batteries.csv",
        kind=BATTERIES,
        market="EU",
        mode=ImportMode.VALID_ROWS,
    )
    assert job.rows_created == 2, job.error_message
    events = WebhookDelivery.objects.filter(endpoint=endpoint).values_list("event", flat=True)
    assert sorted(events) == sorted([WebhookEvent.PASSPORT_CHANGED, WebhookEvent.IMPORT_FINISHED])
    (payload,) = _finished(endpoint)
    data = payload["data"]
    assert (data["import_job"], data["kind"], data["outcome"]) == (str(job.pk), BATTERIES, "imported")
    assert _counts(data) == (2, 2, 2, 0, 0, 0)
    assert data["url"].endswith(f"/vehicles/imports/{job.pk}/")
    assert data["api_url"].endswith(f"/api/v1/battery-imports/{job.pk}/")
    assert not WebhookDelivery.objects.filter(endpoint=theirs).exists()


def test_nothing_is_sent_for_an_import_that_rolled_back(world, media, hooks, monkeypatch):
    """The import's transaction fails after the event was queued: the event goes with the rows, and the failed
    job tells once, as failed."""
    model = setup_partner(world.alpha)
    emit = pipeline.import_finished_emit

    def emit_then_break(job):
        emit(job)
        if job.status == ImportStatus.SUCCEEDED:
            raise RuntimeError("the commit failed")

    monkeypatch.setattr(pipeline, "import_finished_emit", emit_then_break)
    job = job_make(world.alpha, csv_bytes(good_rows(world.alpha, model.name, 2)))
    with schema_context("alpha"), pytest.raises(RuntimeError):
        import_run(job_id=job.pk, partner_id=world.alpha.pk)
    with schema_context("alpha"):
        job.refresh_from_db()
        assert not Vehicle.objects.exists()
    assert job.status == ImportStatus.FAILED
    (payload,) = _finished(hooks["alpha"])
    assert (payload["data"]["import_job"], payload["data"]["outcome"]) == (str(job.pk), "failed")


def test_a_job_the_sweeper_fails_sends_one_event(world, media, hooks, monkeypatch):
    monkeypatch.setattr(services, "import_job_queue", lambda *, job: None)
    uploader = world.person(world.alpha, Role.MEMBER)
    job = job_make(world.alpha, csv_bytes([]), user=uploader)
    old = timezone.now() - services.REQUEUE_STALE_AFTER * 6
    with schema_context("alpha"):
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.RUNNING, heartbeat_at=old, created_at=old, attempts=services.MAX_ATTEMPTS
        )
        assert services.import_jobs_recover()["failed"] == 1
        assert services.import_jobs_recover()["failed"] == 0  # a second sweep finds nothing more to fail
        # The uploader is told in the inbox, and the audit trail records the ending, as for any other failure.
        notice = Notice.objects.get(user=uploader, kind=NoticeKind.IMPORT)
        assert notice.variant == "import_failed" and notice.url.endswith(f"/{job.pk}/")
    (event,) = AuditEvent.objects.filter(action=AuditAction.IMPORT_FINISHED, target_id=str(job.pk))
    assert event.details["status"] == ImportStatus.FAILED and event.details["error"]
    (payload,) = _finished(hooks["alpha"])
    assert (payload["data"]["import_job"], payload["data"]["status"]) == (str(job.pk), "failed")
    assert payload["data"]["outcome"] == "failed" and payload["data"]["error"]
    assert _finished(hooks["beta"]) == []
