"""Risk warnings: the rules staff tune (`RiskRule`), evaluated over the facts after every run.

Each rule looks at each partner's own figures and at the alliance's; the warnings of the latest run replace
the previous ones. Partners see the warnings about themselves; staff see all.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import connection
from django.db.models import Count, Sum
from django.utils import timezone
from django_tenants.utils import schema_context
from psycopg import sql

from portal.collaboration.models import Project
from portal.collaboration.pipeline import TERMINAL
from portal.compliance import offsets
from portal.compliance.models import SubsidisedImport
from portal.core.months import last_complete_month, month_add, month_of
from tenants.models import Partner

from .choices import RiskKind
from .models import Fact, RiskRule, RiskWarning

ALLIANCE = None  # the partner key of alliance-wide figures


def _by_partner_month(measure: str, first: datetime.date, last: datetime.date) -> dict:
    rows = (
        Fact.objects.filter(measure=measure, period__gte=first, period__lte=last)
        .values_list("partner_id", "period")
        .annotate(total=Sum("value"))
        .order_by()
    )
    series: dict = defaultdict(dict)
    for partner_id, period, total in rows:
        series[partner_id][period] = float(total)
        series[ALLIANCE][period] = series[ALLIANCE].get(period, 0.0) + float(total)
    return series


def production_drops(rule: RiskRule, today: datetime.date) -> list[RiskWarning]:
    """A month's production fell by more than `threshold` percent against the month before."""
    month = last_complete_month(today)
    series = _by_partner_month("production", month_add(month, -1), month)
    warnings = []
    for partner_id, by_month in series.items():
        before, now = by_month.get(month_add(month, -1), 0.0), by_month.get(month, 0.0)
        if before > 0:
            drop = 100 * (before - now) / before
            if drop > rule.threshold:
                warnings.append(RiskWarning(partner_id=partner_id, period=month, value=round(drop, 1)))
    return warnings


def herfindahl(values: list[float]) -> float:
    """Concentration of a distribution: the sum of squared shares (1 = one market only)."""
    total = sum(values)
    return sum((value / total) ** 2 for value in values) if total else 0.0


def export_concentration(rule: RiskRule, today: datetime.date) -> list[RiskWarning]:
    """The last 12 months' exports by destination have a Herfindahl index above `threshold`."""
    month = last_complete_month(today)
    rows = (
        Fact.objects.filter(measure="exports", period__gt=month_add(month, -12), period__lte=month)
        .values_list("partner_id", "d1")
        .annotate(total=Sum("value"))
        .order_by()
    )
    shares: dict = defaultdict(lambda: defaultdict(float))
    for partner_id, destination, total in rows:
        shares[partner_id][destination] += float(total)
        shares[ALLIANCE][destination] += float(total)
    warnings = []
    for partner_id, by_destination in shares.items():
        if sum(by_destination.values()) < 10:
            continue  # too few vehicles to speak of a market mix
        index = herfindahl(list(by_destination.values()))
        if index > rule.threshold:
            top = max(by_destination, key=by_destination.get)
            warnings.append(RiskWarning(partner_id=partner_id, period=month, subject=top, value=round(index, 3)))
    return warnings


def expiry_waves(rule: RiskRule, today: datetime.date) -> list[RiskWarning]:
    """At least `threshold` of a partner's certificates expire in the same month within the next 6 months."""
    first = month_of(today)
    series = _by_partner_month("certificates_expiring", first, month_add(first, 5))
    return [
        RiskWarning(partner_id=partner_id, period=period, value=count)
        for partner_id, by_month in series.items()
        if partner_id is not ALLIANCE
        for period, count in sorted(by_month.items())
        if count >= rule.threshold
    ]


def rising_blocks(rule: RiskRule, today: datetime.date) -> list[RiskWarning]:
    """Blocked shipments last month reached `threshold` times the average of the three months before."""
    month = last_complete_month(today)
    series = _by_partner_month("shipments_blocked", month_add(month, -3), month)
    warnings = []
    for partner_id, by_month in series.items():
        now = by_month.get(month, 0.0)
        before = sum(by_month.get(month_add(month, -k), 0.0) for k in (1, 2, 3)) / 3
        if now >= 2 and now >= rule.threshold * max(before, 1 / 3):
            warnings.append(RiskWarning(partner_id=partner_id, period=month, value=now))
    return warnings


def stalled_projects(rule: RiskRule, today: datetime.date) -> list[RiskWarning]:
    """Open projects whose stage has not changed for `threshold` days, counted per owner partner."""
    cutoff = timezone.now() - datetime.timedelta(days=rule.threshold)
    rows = (
        Project.objects.exclude(stage__in=TERMINAL)
        .filter(stage_changed_at__lt=cutoff)
        .values_list("owner_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = dict(rows)
    if counts:
        counts[ALLIANCE] = sum(counts.values())
    return [RiskWarning(partner_id=owner, period=month_of(today), value=n) for owner, n in counts.items()]


ENROLLED_BATCH = 100  # schemas per statement (a UNION ALL over too many exhausts the lock table)


def offset_enrolled() -> list[Partner]:
    """Member partners that recorded subsidised imports: one UNION ALL per batch of schemas, no schema switch."""
    partners = list(Partner.objects.members().order_by("pk"))
    table = SubsidisedImport._meta.db_table
    enrolled: set[int] = set()
    with connection.cursor() as cursor:
        for start in range(0, len(partners), ENROLLED_BATCH):
            batch = partners[start : start + ENROLLED_BATCH]
            query = sql.SQL(" UNION ALL ").join(
                sql.SQL("SELECT {} WHERE EXISTS (SELECT 1 FROM {})").format(
                    sql.Literal(partner.pk), sql.Identifier(partner.schema_name, table)
                )
                for partner in batch
            )
            cursor.execute(query.as_string(cursor.connection))
            enrolled.update(row[0] for row in cursor.fetchall())
    return [partner for partner in partners if partner.pk in enrolled]


def offsets_behind(rule: RiskRule, today: datetime.date) -> list[RiskWarning]:
    """A partner's offset ledger (Thailand EV 3.5) is projected more than `threshold` vehicles short at the
    deadline that decides it, or missed it. Each partner's own warning only: no alliance figure (a handful of
    enrolled makers could be told apart)."""
    warnings = []
    for partner in offset_enrolled():
        with schema_context(partner.schema_name):
            ledgers = offsets.ledgers_get(today=today)
        for ledger in ledgers:
            if not ledger.behind:
                continue
            shortfall = float(ledger.current.shortfall)
            if shortfall > rule.threshold:
                warnings.append(
                    RiskWarning(
                        partner_id=partner.pk, period=month_of(today), subject=ledger.scheme.name, value=shortfall
                    )
                )
    return warnings


EVALUATORS = {
    RiskKind.PRODUCTION_DROP: production_drops,
    RiskKind.EXPORT_CONCENTRATION: export_concentration,
    RiskKind.EXPIRY_WAVE: expiry_waves,
    RiskKind.RISING_BLOCKS: rising_blocks,
    RiskKind.STALLED_PROJECTS: stalled_projects,
    RiskKind.OFFSET_BEHIND: offsets_behind,
}


def warnings_rebuild(*, today: datetime.date | None = None) -> int:
    """Evaluate every enabled rule and replace the warnings with what fires now."""
    today = today or timezone.localdate()
    found = []
    for rule in RiskRule.objects.filter(enabled=True):
        for warning in EVALUATORS[rule.kind](rule, today):
            warning.kind, warning.threshold = rule.kind, rule.threshold
            found.append(warning)
    RiskWarning.objects.all().delete()
    RiskWarning.objects.bulk_create(found)
    return len(found)
