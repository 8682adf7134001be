"""Celery jobs: certificate expiry warnings (once per threshold) and re-checks when the rules or the list change."""

import pytest
from django.core import mail
from django_tenants.utils import schema_context

from portal.audit.choices import AuditAction
from portal.audit.models import AuditEvent
from portal.compliance import tasks
from portal.compliance.choices import Trigger, Verdict
from portal.compliance.models import CertificateWarning
from portal.compliance.tasks import certificate_expiry_warn, shipments_recheck, shipments_recheck_all
from portal.reference.models import ScreenedParty
from tenants.choices import Role

from ..conftest import client_for
from .factories import certificate_make, days, eu_l3e_model, reload, shipment_make, vehicles_make

pytestmark = pytest.mark.django_db


def test_expiry_warnings_go_out_once_per_threshold(world, settings):
    settings.COMPLIANCE_EXPIRY_WARNING_DAYS = [30, 7]
    model = eu_l3e_model(world.alpha, certified=False)
    soon = certificate_make(world.alpha, "un-r136", [model], valid_to=days(25), number="R136-SOON")
    certificate_make(world.alpha, "eu-ta-168-2013", [model], valid_to=days(200))
    with schema_context(world.alpha.schema_name):
        assert certificate_expiry_warn()["sent"] == 1
        assert certificate_expiry_warn()["sent"] == 0, "a rerun sends nothing again"
        assert certificate_expiry_warn(today=days(20).isoformat())["sent"] == 1  # 5 days left: the 7-day warning
        warnings = list(CertificateWarning.objects.filter(certificate=soon).values_list("days_before", flat=True))
    assert sorted(warnings) == [7, 30]
    assert len(mail.outbox) == 2 and "R136-SOON" in mail.outbox[0].subject
    recipients = set(mail.outbox[0].to)
    assert world.person(world.alpha, Role.OWNER).email in recipients
    assert world.person(world.alpha, Role.VIEWER).email not in recipients
    assert not any(world.person(world.beta, Role.OWNER).email in message.to for message in mail.outbox)


def test_expiring_certificates_are_shown_in_the_vault(world):
    model = eu_l3e_model(world.alpha, certified=False)
    certificate_make(world.alpha, "un-r136", [model], valid_to=days(12), number="R136-WARN")
    body = (
        client_for(world.alpha, world.person(world.alpha, Role.VIEWER))
        .get("/compliance/certificates/")
        .content.decode()
    )
    assert 'data-testid="expiry-warnings"' in body and "R136-WARN" in body


def test_a_screening_list_change_in_the_admin_queues_the_recheck(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(tasks.shipments_recheck_all, "delay", lambda: queued.append(True))
    staff = client_for(None, world.staff)
    data = {"name": "Kestrel Star Trading FZE", "list_source": "Test list", "date_added": "2026-01-05", "country": "AE"}
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post("/admin/reference/screenedparty/add/", data)
    assert response.status_code == 302, response.content[:500]
    assert queued == [True]
    party = ScreenedParty.objects.get(name="Kestrel Star Trading FZE")
    assert party.history.count() == 1 and party.history.first().history_user == world.staff
    event = AuditEvent.objects.get(action=AuditAction.COMPLIANCE_RULE_CHANGED)
    assert (event.actor, event.partner, event.target_id) == (world.staff, None, str(party.pk))
    assert event.details["table"] == "screenedparty" and event.details["change"] == "added"


def test_open_shipments_are_rechecked_and_owners_told(world):
    model = eu_l3e_model(world.alpha)
    shipment = shipment_make(
        world.alpha, vehicles=vehicles_make(world.alpha, model, 1), consignee_name="Kestrel Star Trading"
    )
    shipped = shipment_make(
        world.alpha, vehicles=vehicles_make(world.alpha, model, 1), consignee_name="Kestrel Star Trading"
    )
    with schema_context(world.alpha.schema_name):
        from portal.compliance.services.releases import shipment_ship

        shipment_ship(shipment=shipped)
    assert shipment.verdict == Verdict.CLEARED
    ScreenedParty.objects.create(name="Kestrel Star Trading FZE", country="HU", list_source="Test list")
    with schema_context(world.alpha.schema_name):
        result = shipments_recheck()
        assert (result["rechecked"], result["changed"]) == (1, 1), "only the open shipment that is behind"
        assert shipments_recheck()["rechecked"] == 0, "idempotent: nothing is behind any more"
    shipment = reload(world.alpha, shipment)
    assert shipment.verdict == Verdict.BLOCKED and shipment.latest_check.trigger == Trigger.RECHECK
    (message,) = mail.outbox
    assert shipment.reference in message.subject and world.person(world.alpha, Role.OWNER).email in message.to


def test_the_recheck_fans_out_to_every_active_partner(world, monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.shipments_recheck, "apply_async", lambda **options: sent.append(options["headers"]))
    assert shipments_recheck_all() == len(sent)
    schemas = {headers["_schema_name"] for headers in sent}
    assert {"alpha", "beta"} <= schemas and "public" not in schemas and "partner_template" not in schemas
