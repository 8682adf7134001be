"""Demo statistics: the July 2025 action plan, and a first full run over everything the other demos seeded."""

import datetime

from .choices import RunKind
from .models import PolicyEvent
from .pipeline import run_inline

POLICY = (
    "Chongqing action plan for the smart connected EV industry",
    datetime.date(2025, 7, 1),
    "Local sourcing, exports to ASEAN and Belt-and-Road markets, 15 million units a year by 2027.",
)


# Runs after every other demo: it computes the statistics of everything they seeded.
SEED_AFTER = ("*",)


def seed(*, partners, stdout) -> None:
    """The policy date, then compute the statistics once (idempotent)."""
    name, date, note = POLICY
    PolicyEvent.objects.get_or_create(name=name, defaults={"date": date, "note": note})
    run = run_inline(kind=RunKind.FULL)
    stdout.write(f"statistics: run #{run.pk} wrote {run.facts_written} facts, {run.cells_written} cells.")
