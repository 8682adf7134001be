"""The collaboration funnel in the statistics: stored per owner partner and for the alliance, with disclosure control.

The figures are the projects' own (`portal.collaboration.funnel.funnel_stages` over every project, per owner
partner, in three queries); this module only stores them and applies the cell rules to the alliance rows,
counted per owner partner.
"""

from decimal import Decimal

from django.utils import timezone

from portal.collaboration.funnel import WHOLE, StageFigures, funnel_stages
from portal.collaboration.models import Project
from portal.collaboration.pipeline import ORDER

from .choices import CellStatus
from .disclosure import is_safe
from .models import FunnelStage

ALLIANCE = None


def funnel_rebuild(*, now=None) -> int:
    """Replace the funnel rows with the current state of every project."""
    by_owner = funnel_stages(projects=Project.objects.all(), now=now or timezone.now(), by_owner=True)
    alliance = by_owner.pop(WHOLE)
    rows = []
    for stage in ORDER:
        for owner, stages in by_owner.items():
            if stages[stage].reached or stages[stage].current:
                rows.append(_row(owner, stage, stages[stage], contributors=1, top_share=1.0, safe=True))
        reached = {owner: Decimal(stages[stage].reached) for owner, stages in by_owner.items() if stages[stage].reached}
        total = sum(reached.values())
        share = float(max(reached.values()) / total) if total else 0.0
        rows.append(_row(ALLIANCE, stage, alliance[stage], len(reached), round(share, 4), is_safe(reached)))
    FunnelStage.objects.all().delete()
    FunnelStage.objects.bulk_create(rows)
    return len(rows)


def _row(owner, stage: str, figures: StageFigures, contributors: int, top_share: float, safe: bool) -> FunnelStage:
    return FunnelStage(
        partner_id=owner,
        stage=stage,
        reached=figures.reached,
        current=figures.current,
        median_days=figures.median_days,
        contributors=contributors,
        top_share=top_share,
        status=CellStatus.SHOWN if safe else CellStatus.PRIMARY,
    )
