"""The collaboration funnel for the statistics: per owner partner and alliance-wide, in three queries.

Counts per stage (projects that reached it, projects in it now), conversion between consecutive stages and
median days in each stage, as `portal.collaboration.funnel` computes them for one caller, but for every owner
partner at once; the alliance rows obey the same disclosure rules as the cells (counted per owner partner).
"""

from collections import defaultdict
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from portal.collaboration.pipeline import ORDER, TERMINAL

from .disclosure import is_safe
from .models import FunnelStage

REACHED_SQL = """
SELECT p.owner_id, t.to_stage, count(DISTINCT t.project_id)
FROM collaboration_transition t JOIN collaboration_project p ON p.id = t.project_id
GROUP BY 1, 2
"""
CURRENT_SQL = "SELECT owner_id, stage, count(*) FROM collaboration_project GROUP BY 1, 2"
MEDIAN_SQL = """
WITH stays AS (
    SELECT p.owner_id, t.to_stage,
           COALESCE(LEAD(t.at) OVER (PARTITION BY t.project_id ORDER BY t.at, t.id), %s) - t.at AS spent
    FROM collaboration_transition t JOIN collaboration_project p ON p.id = t.project_id
)
SELECT owner_id, to_stage, percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM spent)) / 86400.0
FROM stays GROUP BY GROUPING SETS ((owner_id, to_stage), (to_stage))
"""
ALLIANCE = None


def funnel_rebuild(*, now=None) -> int:
    """Replace the funnel rows with the current state of every project."""
    now = now or timezone.now()
    reached: dict = defaultdict(dict)  # stage → owner → count
    current: dict = defaultdict(dict)
    medians: dict = {}
    with connection.cursor() as cursor:
        cursor.execute(REACHED_SQL)
        for owner, stage, count in cursor.fetchall():
            reached[stage][owner] = count
        cursor.execute(CURRENT_SQL)
        for owner, stage, count in cursor.fetchall():
            current[stage][owner] = count
        cursor.execute(MEDIAN_SQL, [now])
        medians = {(owner, stage): float(days) for owner, stage, days in cursor.fetchall() if days is not None}
    owners = {owner for by_owner in (*reached.values(), *current.values()) for owner in by_owner}
    rows = []
    for stage in ORDER:
        for owner in owners:
            if reached[stage].get(owner) or current[stage].get(owner):
                rows.append(_row(owner, stage, reached, current, medians, contributors=1, top_share=1.0, safe=True))
        by_owner = {owner: Decimal(count) for owner, count in reached[stage].items()}
        total = sum(by_owner.values())
        share = float(max(by_owner.values()) / total) if total else 0.0
        rows.append(_row(ALLIANCE, stage, reached, current, medians, len(by_owner), round(share, 4), is_safe(by_owner)))
    FunnelStage.objects.all().delete()
    FunnelStage.objects.bulk_create(rows)
    return len(rows)


def _row(owner, stage, reached, current, medians, contributors, top_share, safe) -> FunnelStage:
    if owner is ALLIANCE:
        reached_n, current_n = sum(reached[stage].values()), sum(current[stage].values())
    else:
        reached_n, current_n = reached[stage].get(owner, 0), current[stage].get(owner, 0)
    median = medians.get((owner, stage)) if stage not in TERMINAL else None
    return FunnelStage(
        partner_id=owner,
        stage=stage,
        reached=reached_n,
        current=current_n,
        median_days=round(median, 1) if median is not None else None,
        contributors=contributors,
        top_share=top_share,
        status="shown" if safe else "primary",
    )
