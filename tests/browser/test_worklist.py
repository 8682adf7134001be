"""Home as a worklist in a real browser (issue 13, portals 5): the owner sees what needs them now — a blocked
shipment, a certificate to renew, an invitation, a stalled project, a failed import — and one click opens the form
that fixes it; a viewer sees the same work read-only. English and Arabic.

The work is committed by a fixture (the server runs in another process) and removed afterwards.
"""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from portal.audit.models import AuditEvent
from portal.collaboration.choices import Stage
from portal.collaboration.models import Project
from portal.collaboration.services import participant_invite, project_create
from portal.compliance.models import Certificate, Shipment
from portal.compliance.services.shipments import shipment_create
from portal.inbox.models import Notice
from portal.reference.models import CertificateType, ScreenedParty
from portal.vehicles.choices import ImportStatus
from portal.vehicles.models import ImportJob
from tenants.choices import Role
from tenants.models import Partner
from tests.factories import TEST_PASSWORD
from tests.insights.factories import dirty_clear

from .conftest import ConsoleLog, PortalServer
from .helpers import assert_clean_console, choose_language, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SHIPMENT = "JOURNEY-WORK-1"
PARTY = "Heron Journey Trading Co."
CERTIFICATE = "R136-JOURNEY"
STALLED = "Worklist journey: stalled swap pack"
INVITING = "Worklist journey: cell supply"
IMPORT = "worklist-journey.csv"


@pytest.fixture(scope="module")  # module scope: set up before the test's own transaction, so it is committed
def work(portal_server, django_db_blocker):
    """One of each kind of work for alpha."""
    today = datetime.date.today()
    with django_db_blocker.unblock():
        alpha, beta = Partner.objects.get(schema_name="alpha"), Partner.objects.get(schema_name="beta")
        party = ScreenedParty.objects.create(name=PARTY, country="HU", list_source="Browser journey list")
        stalled = project_create(partner=alpha, role=Role.MANAGER, user=None, title=STALLED, stage=Stage.NEGOTIATING)
        Project.objects.filter(pk=stalled.pk).update(stage_changed_at=timezone.now() - datetime.timedelta(days=60))
        inviting = project_create(partner=beta, role=Role.MANAGER, user=None, title=INVITING)
        participant_invite(project=inviting, partner=beta, role=Role.OWNER, user=None, invitee=alpha)
        with schema_context(alpha.schema_name):
            shipment = shipment_create(
                reference=SHIPMENT,
                destination="HU",
                consignee_name=PARTY,
                consignee_country="HU",
                incoterm="DAP",
                hs_code="8711.60",
                expected_arrival=today + datetime.timedelta(days=30),
            )
            assert shipment.verdict == "blocked"
            certificate = Certificate.objects.create(
                certificate_type=CertificateType.objects.get(code="un-r136"),
                number=CERTIFICATE,
                issuing_body="Journey lab",
                valid_from=today - datetime.timedelta(days=700),
                valid_to=today + datetime.timedelta(days=12),
            )
            job = ImportJob(
                original_name=IMPORT, size_bytes=3, status=ImportStatus.FAILED, error_message="No VIN column"
            )
            job.file.save("worklist-journey.csv", ContentFile(b"vin"), save=False)
            job.save()
    try:
        yield {"shipment": shipment, "certificate": certificate, "stalled": stalled, "job": job}
    finally:
        with django_db_blocker.unblock():
            with schema_context(alpha.schema_name):
                Notice.objects.all().delete()
                Shipment.objects.filter(pk=shipment.pk).delete()
                Certificate.objects.filter(pk=certificate.pk).delete()
                ImportJob.objects.filter(pk=job.pk).delete()
            Project.objects.filter(pk__in=[stalled.pk, inviting.pk]).delete()
            AuditEvent.objects.filter(target_type="compliance.shipment", target_id=str(shipment.pk)).delete()
            dirty_clear(alpha.schema_name)
            party.delete()


def _as(page: Page, server: PortalServer, email: str) -> None:
    page.context.clear_cookies()
    page.goto(server.url("alpha", "/"))
    sign_in(page, email, TEST_PASSWORD)
    assert "/accounts/login/" not in page.url, page.locator("main").inner_text()
    page.goto(server.url("alpha", "/"))


def _item(page: Page, section: str, text: str):
    return page.get_by_test_id(f"worklist-{section}").locator("li", has_text=text)


def test_the_worklist_leads_to_each_fix(page: Page, portal_server: PortalServer, console: ConsoleLog, work):
    _as(page, portal_server, "owner@alpha.example.com")
    for section, text in (
        ("blocked", SHIPMENT),
        ("certificates", CERTIFICATE),
        ("invitations", INVITING),
        ("stalled", STALLED),
        ("imports", IMPORT),
    ):
        expect(_item(page, section, text)).to_be_visible()
    expect(_item(page, "certificates", CERTIFICATE).get_by_role("link")).to_have_text("Renew")
    screenshot(page, "worklist-en")

    # One click from each fix: the shipment page, the renewal form, the stage form, the import report, the project.
    for section, text, path in (
        ("blocked", SHIPMENT, f"/compliance/shipments/{work['shipment'].pk}/"),
        ("certificates", CERTIFICATE, f"/compliance/certificates/{work['certificate'].pk}/edit/"),
        ("stalled", STALLED, f"/projects/{work['stalled'].pk}/stage/"),
        ("imports", IMPORT, f"/vehicles/imports/{work['job'].pk}/"),
    ):
        with page.expect_navigation():
            _item(page, section, text).get_by_role("link").click()
        assert page.url == portal_server.url("alpha", path), (section, page.url)
        page.go_back()

    # A viewer sees the same work, read-only: no renewal form, no stage form.
    _as(page, portal_server, "viewer@alpha.example.com")
    expect(_item(page, "certificates", CERTIFICATE).get_by_role("link")).to_have_text("View")
    expect(_item(page, "stalled", STALLED).get_by_role("link")).to_have_attribute(
        "href", f"/projects/{work['stalled'].pk}/"
    )

    # Arabic, right to left.
    choose_language(page, "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("#worklist-heading")).to_have_text("ما يحتاج إليك الآن")
    expect(_item(page, "blocked", SHIPMENT)).to_be_visible()
    screenshot(page, "worklist-ar")
    assert_clean_console(console)
