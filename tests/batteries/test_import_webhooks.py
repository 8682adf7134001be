"""Battery imports tell the partner's webhooks once per run (`battery.passport_changed` with the counts and links to
the job), never once per row, never another partner's endpoints, and nothing for a dry run, a refused file or a
run that changed nothing."""

import pytest
from django_tenants.utils import schema_context

from portal.batteries.importing.targets import BATTERIES, READINGS
from portal.integrations.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from portal.vehicles.choices import ImportMode, ImportStatus
from portal.vehicles.importing.pipeline import import_run
from tests.vehicles.import_samples import csv_bytes, job_make, media_root

from .factories import battery_make, identifier_next, model_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(tmp_path):
    with media_root(tmp_path):
        yield tmp_path


@pytest.fixture
def hooks(world):
    """Both partners subscribe to passport changes (call it after making batteries: their creation emits too)."""

    def subscribe() -> dict[str, WebhookEndpoint]:
        return {
            partner.slug: WebhookEndpoint.objects.create(
                partner=partner,
                url=f"https://hooks.{partner.slug}.example/in",
                events=[WebhookEvent.PASSPORT_CHANGED],
                secret="s" * 64,
            )
            for partner in (world.alpha, world.beta)
        }

    return subscribe


def _run(partner, content, *, kind=BATTERIES, **fields):
    fields.setdefault("mode", ImportMode.VALID_ROWS)
    job = job_make(partner, content, name=f"{kind}.csv", kind=kind, market="EU", **fields)
    with schema_context(partner.schema_name):
        import_run(job_id=job.pk, partner_id=partner.pk)
        job.refresh_from_db()
    return job


def _sent(endpoint) -> list[dict]:
    return [delivery.payload for delivery in WebhookDelivery.objects.filter(endpoint=endpoint).order_by("created_at")]


def test_a_battery_import_sends_one_event_with_its_counts_and_links(world, media, hooks):
    model = model_make(world.alpha)
    existing = battery_make(world.alpha, battery_model=model)
    endpoints = hooks()
    rows = [(identifier_next(), model.code, "") for _ in range(3)]
    rows += [(existing.identifier, model.code, "repurposed"), (identifier_next(), "NO-SUCH-MODEL", "")]
    job = _run(world.alpha, csv_bytes(rows, header=["identifier", "model", "status"]))
    assert (job.rows_created, job.rows_updated, job.rows_rejected) == (3, 1, 1), job.error_message

    (payload,) = _sent(endpoints["alpha"])  # one event for the run, not one per battery
    assert (payload["event"], payload["partner"]) == (WebhookEvent.PASSPORT_CHANGED, "alpha")
    data = payload["data"]
    assert {key: data[key] for key in data if not key.endswith("url")} == {
        "change": "imported",
        "import_job": str(job.pk),
        "kind": BATTERIES,
        "file": "batteries.csv",
        "created": 3,
        "updated": 1,
        "unchanged": 0,
        "rejected": 1,
    }
    assert data["url"].startswith("http") and data["url"].endswith(f"/vehicles/imports/{job.pk}/")
    assert "alpha" in data["url"] and data["api_url"].endswith(f"/api/v1/battery-imports/{job.pk}/")
    # Another partner's endpoint receives nothing of it.
    assert _sent(endpoints["beta"]) == []


def test_a_readings_import_sends_one_event_to_its_own_partner_only(world, media, hooks):
    ours, theirs = battery_make(world.alpha), battery_make(world.beta)
    endpoints = hooks()
    rows = [(ours.identifier, f"2026-03-0{day}", "97") for day in (1, 2, 3)]
    job = _run(world.beta, csv_bytes([(theirs.identifier, "2026-03-01", "90")], header=["identifier", "date", "soh"]))
    assert job.status == ImportStatus.FAILED  # a batteries file without a model column: refused, nothing sent
    job = _run(world.alpha, csv_bytes(rows, header=["identifier", "date", "soh"]), kind=READINGS)
    assert job.rows_created == 3, job.error_message
    (payload,) = _sent(endpoints["alpha"])
    assert payload["data"]["change"] == "readings_imported" and payload["data"]["kind"] == READINGS
    assert (payload["data"]["created"], payload["data"]["import_job"]) == (3, str(job.pk))
    assert _sent(endpoints["beta"]) == []
    # The other partner's own import tells its own endpoint, and nothing reaches the first partner's.
    job = _run(
        world.beta,
        csv_bytes([(theirs.identifier, "2026-03-01", "90")], header=["identifier", "date", "soh"]),
        kind=READINGS,
    )
    assert job.rows_created == 1, job.error_message
    (theirs_payload,) = _sent(endpoints["beta"])
    assert theirs_payload["partner"] == "beta" and theirs_payload["data"]["import_job"] == str(job.pk)
    assert len(_sent(endpoints["alpha"])) == 1


def test_dry_runs_refused_files_and_runs_that_change_nothing_send_nothing(world, media, hooks):
    model = model_make(world.alpha)
    endpoints = hooks()
    rows = [(identifier_next(), model.code), (identifier_next(), model.code)]
    content = csv_bytes(rows, header=["identifier", "model"])
    dry = _run(world.alpha, content, dry_run=True)
    refused = _run(
        world.alpha,
        csv_bytes([*rows, ("X", "NO-SUCH-MODEL")], header=["identifier", "model"]),
        mode=ImportMode.ALL_OR_NOTHING,
    )
    assert dry.rows_created == 2 and refused.status == ImportStatus.FAILED
    assert _sent(endpoints["alpha"]) == []
    first = _run(world.alpha, content)
    again = _run(world.alpha, content)  # the same file: every battery unchanged
    assert (first.rows_created, again.rows_unchanged) == (2, 2)
    assert [payload["data"]["import_job"] for payload in _sent(endpoints["alpha"])] == [str(first.pk)]
