"""Demo statistics: every partner's monthly supply reports, the July 2025 action plan, and a first full run."""

import datetime
import random
from decimal import Decimal

from django_tenants.utils import schema_context

from portal.supply.models import SupplyReport

from .choices import RunKind
from .models import PolicyEvent
from .periods import last_complete_month, month_add
from .pipeline import run_inline

POLICY = (
    "Chongqing action plan for the smart connected EV industry",
    datetime.date(2025, 7, 1),
    "Local sourcing, exports to ASEAN and Belt-and-Road markets, 15 million units a year by 2027.",
)
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
    """Supply reports for every demo partner, the policy date, then compute the statistics once (idempotent)."""
    reported = sum(_seed_supply(partner) for partner in partners.values())
    name, date, note = POLICY
    PolicyEvent.objects.get_or_create(name=name, defaults={"date": date, "note": note})
    run = run_inline(kind=RunKind.FULL)
    stdout.write(
        f"statistics: {reported} supply months added; run #{run.pk} wrote {run.facts_written} facts, "
        f"{run.cells_written} cells."
    )
