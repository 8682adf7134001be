"""The compliance demo shows every verdict, a release and a shipped shipment, and is safe to run twice."""

import io

import pytest
from django_tenants.utils import schema_context

from portal.compliance import demo as compliance_demo
from portal.compliance.models import Certificate, Shipment, ShipmentOverride
from portal.reference import demo as reference_demo
from portal.reference.models import ScreenedParty
from portal.vehicles import demo as vehicles_demo

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
            "DEMO-EU-0003": "blocked",
        }
        assert Shipment.objects.get(reference="DEMO-EU-0001").status == "shipped"
        assert ShipmentOverride.objects.filter(shipment__reference="DEMO-SA-0001").exists()
        assert Certificate.objects.count() == 6
        blocked = Shipment.objects.select_related("latest_check").get(reference="DEMO-EU-0003")
        codes = {reason["code"] for reason in blocked.latest_check.reasons}
        assert {"certificate_expired", "certificate_expires_before_arrival"} <= codes
