"""The Thailand EV 3.5 demo: Siam E-Bike's subsidised imports, its Ayutthaya plants and an export from Thailand make
a ledger that is behind, with the partner's risk warning; safe to run twice."""

import io

import pytest
from django_tenants.utils import schema_context

from portal.compliance import offset_demo, offsets
from portal.compliance.models import PlantLocation, Shipment, SubsidisedImport
from portal.insights.choices import RiskKind
from portal.insights.models import RiskWarning
from portal.insights.risks import warnings_rebuild
from portal.reference import demo as reference_demo
from portal.vehicles import demo as vehicles_demo

pytestmark = pytest.mark.django_db


def test_the_demo_ledger_is_behind_and_warns(world):
    partners = {"siam-ebike": world.alpha}
    reference_demo.seed(partners=partners, stdout=io.StringIO())
    vehicles_demo.seed(partners=partners, stdout=io.StringIO())
    out = io.StringIO()
    for _ in range(2):
        offset_demo.seed(partners=partners, stdout=out)
    assert "Thailand EV 3.5 ledger" in out.getvalue()
    with schema_context(world.alpha.schema_name):
        assert SubsidisedImport.objects.count() == 3 and PlantLocation.objects.count() == 2
        export = Shipment.objects.get(reference="DEMO-TH-EXP-0001")
        assert (export.status, str(export.origin), export.vehicle_count) == ("shipped", "TH", 12)
        (ledger,) = offsets.ledgers_get(today=offsets.today())
    assert ledger.imports == 420 and ledger.exported_weighted == 12 and ledger.behind  # behind (missed, run after 2027)
    assert ledger.credits == ledger.produced + 6  # 12 exported vehicles count 1.5
    warnings_rebuild(today=offsets.today())
    warning = RiskWarning.objects.get(kind=RiskKind.OFFSET_BEHIND)
    assert warning.partner_id == world.alpha.pk and warning.subject == "Thailand EV 3.5"
