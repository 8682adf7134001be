"""URL kwargs and planted secrets of statistics and supply reports (for tests/test_isolation.py)."""

import datetime
from decimal import Decimal

from django_tenants.utils import schema_context

from portal.supply.models import SupplyReport


def _report(partner) -> dict:
    with schema_context(partner.schema_name):
        report, _created = SupplyReport.objects.get_or_create(
            month=datetime.date(2024, 1, 1), defaults={"total_value": Decimal(1000), "local_value": Decimal(400)}
        )
        return {"pk": report.pk}


SAMPLES = {
    "supply:delete": _report,
    "v1:supply-report-detail": _report,
}


def _plant(partner) -> list[str]:
    """A supply report note only the partner's members may see."""
    note = f"SECRET-{partner.schema_name}-supplier-note"
    with schema_context(partner.schema_name):
        SupplyReport.objects.update_or_create(
            month=datetime.date(2024, 2, 1),
            defaults={"total_value": Decimal(5000), "local_value": Decimal(2500), "note": note},
        )
    return [note]


PLANTS = [_plant]
