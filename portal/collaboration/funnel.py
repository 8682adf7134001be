"""The collaboration funnel, computed in SQL from a set of projects and their stage history.

`funnel_stages` is the one computation of the funnel's figures — per stage, the projects that reached it, the
projects in it now and the median days spent in it — for a set of projects and, if asked, for each owner
partner in it. `funnel_compute` shapes it for one caller (page and API); the statistics
(`portal.insights.funnel`) store it per owner partner and put disclosure control on top.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Count, QuerySet
from django.utils import timezone

from .choices import Stage
from .models import Project, Transition
from .pipeline import ORDER, TERMINAL

WHOLE = None  # the key of the whole set's figures in what `funnel_stages` returns

# Positional parameters: the projects' subquery brings its own. `{owner}` is the owner column, or NULL when the
# figures are not wanted per owner; `{sets}` the matching GROUPING SETS.
MEDIAN_SQL = """
WITH stays AS (
    SELECT {owner} AS owner, t.{to_stage} AS stage,
           COALESCE(LEAD(t.{at}) OVER (PARTITION BY t.{project} ORDER BY t.{at}, t.id), %s) - t.{at} AS spent
    FROM {transitions} t JOIN {projects} p ON p.id = t.{project}
    WHERE t.{project} IN ({subquery})
)
SELECT GROUPING(owner) = 1, owner, stage,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM spent)) / 86400.0
FROM stays GROUP BY GROUPING SETS ({sets})
"""


@dataclass(frozen=True)
class StageFigures:
    """One stage of a funnel: projects that ever entered it, projects in it now, median days spent in it."""

    reached: int = 0
    current: int = 0
    median_days: float | None = None  # None for a terminal stage, or when no project entered it


def funnel_stages(
    *, projects: QuerySet, now: datetime, by_owner: bool = False
) -> dict[int | None, dict[str, StageFigures]]:
    """The figures of every stage for the set of projects (key `WHOLE`) and, with `by_owner`, for each owner
    partner with a project in the set (key: its id). Three queries whatever the number of projects or owners."""
    owner = ["owner"] if by_owner else []
    current = projects.order_by().values_list(*owner, "stage").annotate(n=Count("pk"))
    ids = projects.order_by().values("pk")
    reached = (
        Transition.objects.filter(project__in=ids)
        .order_by()
        .values_list(*(["project__owner"] if by_owner else []), "to_stage")
        .annotate(n=Count("project", distinct=True))
    )
    counts: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))  # key → stage → figure → n
    for figure, rows in (("current", current), ("reached", reached)):
        for *key, stage, n in rows:
            counts[key[0] if key else WHOLE][stage][figure] = n
            if key:  # a project has one owner: the whole set's figures are the owners' sums
                counts[WHOLE][stage][figure] += n
    medians = _medians(projects=ids, now=now, by_owner=by_owner)
    return {
        key: {
            stage: StageFigures(
                reached=counts[key][stage]["reached"],
                current=counts[key][stage]["current"],
                median_days=round(medians[key, stage], 1)
                if (key, stage) in medians and stage not in TERMINAL
                else None,
            )
            for stage in Stage.values
        }
        for key in {WHOLE, *counts}
    }


def _medians(*, projects: QuerySet, now: datetime, by_owner: bool) -> dict[tuple[int | None, str], float]:
    """Median days in each stage (the last one lasting until `now`): (owner or WHOLE, stage) → days."""

    def column(model, field: str) -> str:
        return connection.ops.quote_name(model._meta.get_field(field).column)

    subquery, params = projects.query.sql_with_params()
    sql = MEDIAN_SQL.format(
        transitions=connection.ops.quote_name(Transition._meta.db_table),
        projects=connection.ops.quote_name(Project._meta.db_table),
        owner=f"p.{column(Project, 'owner')}" if by_owner else "NULL::bigint",
        project=column(Transition, "project"),
        to_stage=column(Transition, "to_stage"),
        at=column(Transition, "at"),
        subquery=subquery,
        sets="(owner, stage), (stage)" if by_owner else "(owner, stage)",
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, *params])
        return {
            (owner if by_owner and not whole else WHOLE, stage): float(days)
            for whole, owner, stage, days in cursor.fetchall()
            if days is not None
        }


def conversion_pct(reached: int | None, before: int | None) -> float | None:
    """The percentage of the projects that reached the stage before which also reached this one."""
    if not before or reached is None:
        return None
    return round(100 * reached / before, 1)


def funnel_compute(*, projects: QuerySet, stalled_days: int = 30, now: datetime | None = None) -> dict:
    """Counts per stage, conversion between consecutive stages, median days in stage and stalled projects.

    `projects` is a queryset from `project_list_for_partner` (a partner's own projects, or all for staff);
    five queries whatever the number of projects.
    """
    now = now or timezone.now()
    figures = funnel_stages(projects=projects, now=now)[WHOLE]
    cutoff = now - timedelta(days=stalled_days)
    stalled = projects.exclude(stage__in=TERMINAL).filter(updated_at__lt=cutoff).order_by("updated_at", "id")

    stages = []
    previous = None
    peak = max([figures[stage].reached for stage in ORDER] + [1])
    for stage in ORDER:
        count = figures[stage].reached
        stages.append(
            {
                "stage": stage,
                "label": Stage(stage).label,
                "current": figures[stage].current,
                "reached": count,
                "conversion_pct": conversion_pct(count, previous),
                "median_days": figures[stage].median_days,
                # Bar length in % of the widest stage, drawn as an SVG attribute (no inline style under CSP).
                "bar": round(100 * count / peak, 1),
            }
        )
        previous = count
    return {
        "stages": stages,
        "exits": {stage: figures[stage].current for stage in (Stage.WITHDRAWN, Stage.FAILED)},
        "total": sum(stage.current for stage in figures.values()),
        "stalled_days": stalled_days,
        "stalled_count": stalled.count(),
        "stalled": list(stalled[:20]),
    }
