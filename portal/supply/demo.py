"""Demo supply reports: 24 months of component purchases for every demo partner, local share growing."""

import datetime
import random
from decimal import Decimal

from django_tenants.utils import schema_context

from portal.core.months import last_complete_month, month_add

from .models import SupplyReport

MONTHS = 24


def _seed_supply(partner) -> int:
    rng = random.Random(partner.schema_name)
    base = Decimal(rng.randrange(2_000_000, 40_000_000))
    local_share = rng.uniform(0.35, 0.7)
    last = last_complete_month(datetime.date.today())
    created = 0
    with schema_context(partner.schema_name):
        for back in range(MONTHS, 0, -1):
            month = month_add(last, -(back - 1))
            if SupplyReport.objects.filter(month=month).exists():
                continue
            total = (base * Decimal(1 + 0.02 * (MONTHS - back) + rng.uniform(-0.08, 0.08))).quantize(Decimal("1"))
            share = min(0.95, local_share + 0.006 * (MONTHS - back))  # local sourcing grows, as the plan wants
            SupplyReport.objects.create(
                month=month, total_value=total, local_value=(total * Decimal(share)).quantize(Decimal("1"))
            )
            created += 1
    return created


def seed(*, partners, stdout) -> None:
    """Supply reports for every demo partner (idempotent)."""
    reported = sum(_seed_supply(partner) for partner in partners.values())
    stdout.write(f"supply: {reported} months of reports added")
