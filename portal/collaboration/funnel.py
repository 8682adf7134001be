"""The collaboration funnel, computed in SQL from the projects a caller may see and their stage history."""

from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Count, QuerySet
from django.utils import timezone

from .choices import Stage
from .models import Transition
from .pipeline import ORDER, TERMINAL

MEDIAN_SQL = """
WITH stays AS (
    SELECT t.to_stage,
           COALESCE(LEAD(t.at) OVER (PARTITION BY t.project_id ORDER BY t.at, t.id), %s) - t.at AS spent
    FROM collaboration_transition t
    WHERE t.project_id IN ({projects})
)
SELECT to_stage, percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM spent)) / 86400.0
FROM stays GROUP BY to_stage
"""


def funnel_compute(*, projects: QuerySet, stalled_days: int = 30, now: datetime | None = None) -> dict:
    """Counts per stage, conversion between consecutive stages, median days in stage and stalled projects.

    `projects` is a queryset from `project_list_for_partner` (a partner's own projects, or all for staff);
    five queries whatever the number of projects.
    """
    now = now or timezone.now()
    ids = projects.order_by().values("pk")
    current = dict(projects.order_by().values_list("stage").annotate(n=Count("pk")))
    reached = dict(
        Transition.objects.filter(project__in=ids)
        .order_by()
        .values_list("to_stage")
        .annotate(n=Count("project", distinct=True))
    )
    sql, params = ids.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(MEDIAN_SQL.format(projects=sql), [now, *params])
        medians = {stage: float(days) for stage, days in cursor.fetchall() if days is not None}
    cutoff = now - timedelta(days=stalled_days)
    stalled = projects.exclude(stage__in=TERMINAL).filter(updated_at__lt=cutoff).order_by("updated_at", "id")

    stages = []
    previous = None
    peak = max([reached.get(stage, 0) for stage in ORDER] + [1])
    for stage in ORDER:
        count = reached.get(stage, 0)
        conversion = None
        if previous is not None and reached.get(previous, 0):
            conversion = round(100 * count / reached[previous], 1)
        stages.append(
            {
                "stage": stage,
                "label": Stage(stage).label,
                "current": current.get(stage, 0),
                "reached": count,
                "conversion_pct": conversion,
                "median_days": round(medians[stage], 1) if stage in medians and stage not in TERMINAL else None,
                # Bar length in % of the widest stage, drawn as an SVG attribute (no inline style under CSP).
                "bar": round(100 * count / peak, 1),
            }
        )
        previous = stage
    return {
        "stages": stages,
        "exits": {stage: current.get(stage, 0) for stage in (Stage.WITHDRAWN, Stage.FAILED)},
        "total": sum(current.values()),
        "stalled_days": stalled_days,
        "stalled_count": stalled.count(),
        "stalled": list(stalled[:20]),
    }
