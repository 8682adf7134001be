"""The compliance demo shows every verdict, a release and a shipped shipment, and is safe to run twice."""

import datetime
import io

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from portal.compliance import demo as compliance_demo
from portal.compliance.models import Certificate, ReleaseRequest, Shipment, ShipmentOverride
from portal.reference import demo as reference_demo
from portal.reference.models import ScreenedParty
from portal.vehicles import demo as vehicles_demo
from tenants.models import Membership

pytestmark = pytest.mark.django_db


def test_the_demo_shows_every_verdict(world):
    partners = {"cq-thunder": world.alpha}
    reference_demo.seed(partners=partners, stdout=io.StringIO())
    vehicles_demo.seed(partners=partners, stdout=io.StringIO())
    for _ in range(2):
        compliance_demo.seed(partners=partners, stdout=io.StringIO())
    assert ScreenedParty.objects.filter(list_source=compliance_demo.DEMO_LIST).count() == 205
    with schema_context(world.alpha.schema_name):
        verdicts = dict(Shipment.objects.values_list("reference", "verdict"))
        assert verdicts == {
            "DEMO-EU-0001": "cleared",
            "DEMO-EU-0002": "cleared",
            "DEMO-TH-0001": "needs_review",
            "DEMO-SA-0001": "needs_review",
            "DEMO-AE-0001": "blocked",
            "DEMO-AE-0002": "blocked",
            "DEMO-EU-0003": "blocked",
            "DEMO-EU-0007": "blocked",  # the EU battery passport rule: two incomplete passports
        }
        assert Shipment.objects.get(reference="DEMO-EU-0001").status == "shipped"
        assert ShipmentOverride.objects.filter(shipment__reference="DEMO-SA-0001").exists()
        assert Certificate.objects.count() == 6
        blocked = Shipment.objects.select_related("latest_check").get(reference="DEMO-EU-0003")
        codes = {reason["code"] for reason in blocked.latest_check.reasons}
        assert {"certificate_expired", "certificate_expires_before_arrival"} <= codes
        passports = Shipment.objects.select_related("latest_check").get(reference="DEMO-EU-0007")
        [reason] = [r for r in passports.latest_check.reasons if r["code"] == "battery_passport_incomplete"]
        assert reason["severity"] == "block" and reason["params"]["count"] == 2
        assert [r["severity"] for r in passports.latest_check.reasons].count("block") == 1  # nothing else blocks
        assert "Battery mass" in str(reason["params"]["batteries"]) or reason["params"]["batteries"][0]["missing"]


def test_the_demo_officers_are_the_manager_and_the_member_as_the_readme_says(world):
    """Blocker 1: README names manager@ as the officer; the owner is not one, so the owner's page names them."""
    partners = {"cq-thunder": world.alpha}
    Membership.objects.filter(partner=world.alpha, role="owner").update(is_compliance_officer=True)  # an old seed
    reference_demo.seed(partners=partners, stdout=io.StringIO())
    vehicles_demo.seed(partners=partners, stdout=io.StringIO())
    compliance_demo.seed(partners=partners, stdout=io.StringIO())
    officers = set(
        Membership.objects.filter(partner=world.alpha, is_compliance_officer=True).values_list("role", flat=True)
    )
    assert officers == {"manager", "member"}
    with schema_context(world.alpha.schema_name):
        released = Shipment.objects.select_related("release").get(reference="DEMO-SA-0001")
        assert released.released and released.release.officer.email.startswith("manager@")
        waiting = ReleaseRequest.objects.get(shipment__reference="DEMO-AE-0002")
        assert waiting.status == "pending" and waiting.requested_by.email.startswith("manager@")


# The UK asks new M1 types for R155 / R156 from 2026-06-01 (a review) and blocks from 2027-06-01, on the arrival day;
# the demo's city car arrives 35 days after the day it is seeded. Both days keep today and the arrival on one side.
UK_REVIEWS = datetime.date(2027, 3, 1)  # arrives 2027-04-05
UK_BLOCKS = datetime.date(2027, 6, 15)  # arrives 2027-07-20


@pytest.mark.parametrize(("day", "uk_verdict"), [(UK_REVIEWS, "needs_review"), (UK_BLOCKS, "blocked")])
def test_the_demo_shows_chinas_export_licence_rule(world, monkeypatch, day, uk_verdict):
    """Taizhou Hengtong's passenger rickshaws (8703.80.10.90): cleared with a licence, blocked for used vehicles
    without the after-sales letter and for a destination the licence does not cover; its cargo trikes (8703.80) are
    asked for the full code. The demo and the checks read the clock the verdict reads (`timezone.now`), held on
    `day`."""
    from portal.vehicles.demo_volumes import volumes_seed

    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime.combine(day, datetime.time(9), tzinfo=datetime.UTC))
    assert timezone.localdate() == day
    partners = {"taizhou-hengtong": world.alpha}
    reference_demo.seed(partners=partners, stdout=io.StringIO())
    volumes_seed(partners=partners, stdout=io.StringIO(), today=day)
    for _ in range(2):
        compliance_demo.seed(partners=partners, stdout=io.StringIO())
    with schema_context(world.alpha.schema_name):
        checks = {
            shipment.reference: (shipment.verdict, {r["code"] for r in shipment.latest_check.reasons})
            for shipment in Shipment.objects.select_related("latest_check").filter(reference__startswith="DEMO-")
        }
    assert checks["DEMO-EV-0001"][0] == "cleared", checks["DEMO-EV-0001"]
    assert checks["DEMO-EV-0002"] == ("blocked", {"used_vehicle_letter_missing"})
    verdict, codes = checks["DEMO-EV-0003"]
    assert verdict == "blocked" and {"export_licence_out_of_scope", "after_sales_outlet_missing"} <= codes
    assert "duty_estimate" in checks["DEMO-EV-0004"][1]  # EU duties on the invoice value
    # The EU battery passport rule checks the batteries' passports (none recorded on this shipment): no reason.
    assert "battery_passport_incomplete" not in checks["DEMO-EV-0004"][1]
    # SABER: the rickshaw's PCoC is valid; the Dammam shipment needs review until its SCoC is attached.
    assert checks["DEMO-EV-0005"][0] == "needs_review" and "shipment_certificate_missing" in checks["DEMO-EV-0005"][1]
    assert "shipment_certificate_missing" not in checks["DEMO-EV-0001"][1]
    # UN R155 / R156: the city car has its R155 approval, not R156; the UK reviews new types until 2027-06-01, then
    # blocks.
    with schema_context(world.alpha.schema_name):
        uk = Shipment.objects.select_related("latest_check").get(reference="DEMO-EV-0006")
    assert uk.expected_arrival == day + datetime.timedelta(days=35) and uk.latest_check.checked_on == day
    assert uk.verdict == uk_verdict, uk.latest_check.reasons
    missing = [r for r in uk.latest_check.reasons if r["code"] == "certificate_missing"]
    assert [(r["params"]["certificate_type"], r["severity"]) for r in missing] == [
        ("un-r156", "review" if uk_verdict == "needs_review" else "block")
    ]
    # Nothing else holds it back: the only reasons above a note are the missing R156 approval's.
    assert [r for r in uk.latest_check.reasons if r["severity"] in ("review", "block")] == missing
    # RXSWIN (UN R156): the long-range car has both approvals; one of its three cars runs software its R156 approval
    # does not list, so the shipment needs a review of that car (a review in either UK phase).
    with schema_context(world.alpha.schema_name):
        dover = Shipment.objects.select_related("latest_check").get(reference="DEMO-EV-0007")
    assert dover.verdict == "needs_review", dover.latest_check.reasons
    (rxswin,) = [r for r in dover.latest_check.reasons if r["severity"] in ("review", "block")]
    assert rxswin["code"] == "rxswin_not_listed" and rxswin["params"]["rxswins"] == ["R156-HT-CITY-LR-2.9.4"]
    assert (rxswin["params"]["count"], rxswin["params"]["numbers"]) == (1, ["E11-156R-000144"])
    # Its cargo trikes are declared as 8703.80 only: the verdict asks for the full code.
    assert "export_licence_hs_unclear" in checks["DEMO-DE-TAIZHOUH"][1]
