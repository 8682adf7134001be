"""Reads of industry statistics: disclosed cells, a partner's own figures, targets, policies, runs, warnings.

Pages and the API read only the precomputed tables (cells, facts), never the partners' raw rows.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal
from urllib.parse import urlencode

from django.db import models
from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.collaboration.choices import Stage
from portal.collaboration.funnel import conversion_pct
from portal.collaboration.models import Product, Project
from portal.collaboration.pipeline import ORDER
from portal.core.months import last_complete_month, month_add, month_of, months_between, quarter_of
from tenants.models import Partner

from .choices import Breakdown, CellStatus, Grain, TargetMetric
from .coarse import quarter_cells
from .disclosure import severity
from .labels import key_labels
from .measures import MEASURES, Measure
from .models import Cell, Fact, FunnelStage, PolicyEvent, RiskWarning, Run, Target

DEFAULT_MONTHS = 24
MOSTLY_SUPPRESSED = 0.5  # a view with less than this share of its cells shown gets a coarser one offered
DISCLOSED_ENOUGH = 0.75  # and a coarser view is offered when at least this share of its cells is shown


def today() -> datetime.date:
    """The statistics' clock: the portal's date today (one seam, so tests hold it still)."""
    return timezone.localdate()


@dataclass
class Selection:
    """What a dashboard, an export or an API call asks for."""

    measure: Measure
    breakdown: str
    first: datetime.date
    last: datetime.date
    grain: str = Grain.MONTH

    @property
    def periods(self) -> list[datetime.date]:
        if self.grain == Grain.QUARTER:
            return months_between(quarter_of(self.first), self.last)[::3]
        return months_between(self.first, self.last)

    def period_of(self, month: datetime.date) -> datetime.date:
        """The period (month or quarter) a month falls in."""
        return quarter_of(month) if self.grain == Grain.QUARTER else month_of(month)


def period_code(period: datetime.date, grain: str) -> str:
    """A period as exports and chart axes write it: 2026-10, or 2026-Q4 for a quarter."""
    return f"{period.year}-Q{(period.month - 1) // 3 + 1}" if grain == Grain.QUARTER else f"{period:%Y-%m}"


def selection_default(day: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The last 24 months, the current one included (counted to date)."""
    last = month_of(day or today())
    return month_add(last, -(DEFAULT_MONTHS - 1)), last


def _own_key(breakdown: str, partner: Partner) -> str:
    if breakdown == Breakdown.KIND:
        return partner.kind
    if breakdown == Breakdown.COUNTRY:
        return str(partner.country)
    return ""


def _part(selection: Selection, code: str) -> Selection:
    return replace(selection, measure=MEASURES[code])


def _percent(numerator, denominator) -> Decimal | None:
    if numerator is None or not denominator:
        return None
    return (Decimal(100) * numerator / denominator).quantize(Decimal("0.01"))


def own_figures(*, partner: Partner, selection: Selection) -> dict[tuple[datetime.date, str], Decimal]:
    """The partner's own figures, in full: (period, key) → value."""
    measure, breakdown = selection.measure, selection.breakdown
    if measure.ratio_of:
        top, bottom = (own_figures(partner=partner, selection=_part(selection, code)) for code in measure.ratio_of)
        ratios = {key: _percent(value, bottom.get(key)) for key, value in top.items()}
        return {key: value for key, value in ratios.items() if value is not None}
    facts = Fact.objects.filter(
        partner=partner, measure=measure.code, period__gte=selection.first, period__lte=selection.last
    ).order_by()
    column = measure.dimensions.get(breakdown)
    if column:
        rows = facts.values_list("period", column).annotate(total=Sum("value"))
    else:
        key = _own_key(breakdown, partner)
        rows = ((period, key, total) for period, total in facts.values_list("period").annotate(total=Sum("value")))
    figures: dict[tuple[datetime.date, str], Decimal] = defaultdict(Decimal)
    for period, key, total in rows:
        figures[(selection.period_of(period), key)] += total
    return dict(figures)


@dataclass
class Table:
    """A measure broken down by one dimension over months, as one reader may see it."""

    selection: Selection
    staff: bool
    current: datetime.date | None = None  # the period that is still running: its figures are to date
    keys: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    cells: dict[tuple[datetime.date, str], Cell] = field(default_factory=dict)
    own: dict[tuple[datetime.date, str], Decimal] = field(default_factory=dict)

    def value(self, period, key) -> Decimal | None:
        """The alliance figure, or None when the reader may not see it (or nothing was counted)."""
        cell = self.cells.get((period, key))
        if cell is None:
            return None
        return cell.value if self.staff or cell.status == CellStatus.SHOWN else None

    def rows(self) -> list[dict]:
        """One row per month and key: alliance value (if visible), status, own value."""
        out = []
        for period in self.selection.periods:
            for key in self.keys:
                cell = self.cells.get((period, key))
                if cell is None and (period, key) not in self.own:
                    continue
                row = {
                    "period": period,
                    "quarter": period_code(period, Grain.QUARTER) if self.selection.grain == Grain.QUARTER else "",
                    "to_date": period == self.current,
                    "key": key,
                    "label": self.labels.get(key, key),
                    "value": self.value(period, key),
                    "status": cell.status if cell else CellStatus.SHOWN,
                    "suppressed": bool(cell and cell.status != CellStatus.SHOWN),
                    "own": self.own.get((period, key)),
                }
                if self.staff and cell is not None:
                    row.update(contributors=cell.contributors, top_share=cell.top_share)
                out.append(row)
        return out

    def chart(self) -> dict:
        """Chart.js data: one line per key (suppressed points are gaps), and the reader's own figures."""
        periods = self.selection.periods
        datasets = []
        for key in self.keys[:8]:
            points = [self.value(period, key) for period in periods]
            if any(point is not None for point in points):
                datasets.append({"label": self.labels.get(key, key), "data": [_num(p) for p in points]})
        if self.own:
            for key in self.keys[:8]:
                points = [self.own.get((period, key)) for period in periods]
                if any(point is not None for point in points):
                    label = self.labels.get(key, key)
                    own_label = _("%(label)s · yours") % {"label": label}
                    datasets.append({"label": own_label, "data": [_num(p) for p in points], "own": True})
        labels = [period_code(period, self.selection.grain) for period in periods]
        if self.current in periods:
            index = periods.index(self.current)
            labels[index] = _("%(period)s (to date)") % {"period": labels[index]}
        return {"labels": labels, "datasets": datasets}

    def disclosure(self) -> tuple[int, int]:
        """How many of the table's cells the reader sees, and how many it has."""
        return _shown_count(self.cells.values()), len(self.cells)


def _num(value):
    return float(value) if value is not None else None


def table_get(*, selection: Selection, staff: bool, partner: Partner | None = None) -> Table:
    """The table of one selection for staff (everything) or for a partner (disclosed cells, own figures)."""
    table = Table(selection=selection, staff=staff, current=selection.period_of(today()))
    table.cells = {(cell.period, cell.key): cell for cell in cell_list(selection=selection)}
    if partner is not None:
        table.own = own_figures(partner=partner, selection=selection)
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for (_period, key), cell in table.cells.items():
        totals[key] += cell.value if staff or cell.status == CellStatus.SHOWN else 0
    for _period, key in table.own:
        totals[key] += 0  # keys the partner has alone still get a row
    # Largest first; for partners the order uses only what they may see.
    table.keys = sorted(totals, key=lambda key: (-totals[key], key))
    table.labels = key_labels(selection.breakdown, table.keys)
    return table


def _shown_count(cells) -> int:
    return sum(1 for cell in cells if cell.status == CellStatus.SHOWN)


@dataclass
class CoarserView:
    """A coarser view of a mostly suppressed table that its reader would mostly see."""

    selection: Selection
    shown: int
    cells: int

    @property
    def label(self) -> str:
        by_quarter = self.selection.grain == Grain.QUARTER
        if self.selection.breakdown == Breakdown.TOTAL:
            return _("Show the total by quarter — disclosed") if by_quarter else _("Show the total — disclosed")
        return _("Show by quarter — disclosed")

    @property
    def query(self) -> str:
        chosen = self.selection
        return urlencode(
            {
                "measure": chosen.measure.code,
                "breakdown": chosen.breakdown,
                "grain": chosen.grain,
                "first": f"{chosen.first:%Y-%m}",
                "last": f"{chosen.last:%Y-%m}",
            }
        )


def _coarser(selection: Selection) -> list[Selection]:
    """Coarser views of a selection, finest first: by quarter, the total, the total by quarter."""
    options = []
    if selection.grain == Grain.MONTH:
        options.append(replace(selection, grain=Grain.QUARTER))
    if selection.breakdown != Breakdown.TOTAL and Breakdown.TOTAL in selection.measure.breakdowns:
        options.append(replace(selection, breakdown=Breakdown.TOTAL))
        if selection.grain == Grain.MONTH:
            options.append(replace(selection, breakdown=Breakdown.TOTAL, grain=Grain.QUARTER))
    return options


def coarser_view(*, table: Table) -> CoarserView | None:
    """When a partner's table is mostly suppressed, the finest coarser view that is mostly disclosed, if any.

    Computed from what that view would disclose (its cells and their statuses), never from the hidden figures.
    """
    shown, cells = table.disclosure()
    if table.staff or not cells or shown >= MOSTLY_SUPPRESSED * cells:
        return None
    for option in _coarser(table.selection):
        option_cells = list(cell_list(selection=option))
        option_shown = _shown_count(option_cells)
        if option_cells and option_shown >= DISCLOSED_ENOUGH * len(option_cells):
            return CoarserView(option, option_shown, len(option_cells))
    return None


def cell_list(*, selection: Selection) -> QuerySet[Cell] | list[Cell]:
    """Cells of a selection with every value: callers hide what their reader may not see."""
    if selection.measure.ratio_of:
        return ratio_cells(selection=selection)
    if selection.grain == Grain.QUARTER:
        cells = quarter_cells(measure=selection.measure, first=selection.first, last=selection.last)
        return [cell for cell in cells if cell.breakdown == selection.breakdown]
    return Cell.objects.filter(
        measure=selection.measure.code,
        breakdown=selection.breakdown,
        period__gte=selection.first,
        period__lte=selection.last,
    ).order_by("period", "key")


def ratio_cells(*, selection: Selection) -> list[Cell]:
    """A percentage measure's cells (unsaved), from its two stored measures: shown only when both are shown."""
    numerator, denominator = (
        {(cell.period, cell.key): cell for cell in cell_list(selection=_part(selection, code))}
        for code in selection.measure.ratio_of
    )
    cells = []
    for place, top in sorted(numerator.items()):
        bottom = denominator.get(place)
        value = _percent(top.value, bottom.value if bottom else None)
        if value is None:
            continue
        shown = top.status == CellStatus.SHOWN and bottom.status == CellStatus.SHOWN
        status = CellStatus.SHOWN if shown else max(top.status, bottom.status, key=severity)
        cells.append(
            Cell(
                measure=selection.measure.code,
                breakdown=selection.breakdown,
                period=top.period,
                key=top.key,
                value=value,
                contributors=min(top.contributors, bottom.contributors),
                top_share=max(top.top_share, bottom.top_share),
                status=status,
            )
        )
    return cells


# ---------------------------------------------------------------- targets and policies


def _total_series(measure: str, *, staff: bool) -> dict[datetime.date, Decimal | None]:
    """Alliance monthly totals; for partners a suppressed month is None (its value is not theirs to see)."""
    rows = Cell.objects.filter(measure=measure, breakdown=Breakdown.TOTAL).values_list("period", "value", "status")
    return {period: value if staff or status == CellStatus.SHOWN else None for period, value, status in rows}


def _window_sum(series: dict, months: list[datetime.date]) -> Decimal | None:
    values = [series.get(month, Decimal(0)) for month in months]
    return None if any(value is None for value in values) else sum(values, Decimal(0))


def _yearly_production(last: datetime.date, *, staff: bool) -> tuple[Decimal | None, Decimal | None]:
    """Vehicles produced in the 12 months to `last`, and in the 12 months before (alliance totals)."""
    series = _total_series("production", staff=staff)
    recent = _window_sum(series, months_between(month_add(last, -11), last))
    before = _window_sum(series, months_between(month_add(last, -23), month_add(last, -12)))
    return recent, before


@dataclass
class Progress:
    target: Target
    current: float | None  # None: not disclosed to this reader
    growth: float | None  # per year: a rate for units, an increment for counts
    projected: float | None

    @property
    def percent(self) -> float | None:
        if self.current is None or not self.target.value:
            return None
        return round(100 * self.current / float(self.target.value), 1)

    @property
    def on_track(self) -> bool | None:
        return None if self.projected is None else self.projected >= float(self.target.value)


def _count_progress(target: Target, queryset, date_field: str, today: datetime.date) -> Progress:
    current = queryset.count()
    year_ago = today - datetime.timedelta(days=365)
    if isinstance(queryset.model._meta.get_field(date_field), models.DateTimeField):
        year_ago = timezone.make_aware(datetime.datetime.combine(year_ago, datetime.time()))
    added = queryset.filter(**{f"{date_field}__gt": year_ago}).count()
    years_left = max(0.0, (datetime.date(target.year, 12, 31) - today).days / 365.25)
    return Progress(target, float(current), float(added), current + added * years_left)


def target_progress(*, staff: bool, today: datetime.date | None = None) -> list[Progress]:
    """Each alliance target: where the alliance is, its growth over the last year, and where that leads."""
    today = today or timezone.localdate()
    out = []
    for target in Target.objects.all():
        if target.metric == TargetMetric.ANNUAL_UNITS:
            recent, before = _yearly_production(last_complete_month(today), staff=staff)
            growth = float(recent / before - 1) if recent is not None and before else None
            years_left = max(0.0, (datetime.date(target.year, 12, 31) - today).days / 365.25)
            projected = float(recent) * (1 + growth) ** years_left if growth is not None else None
            out.append(Progress(target, float(recent) if recent is not None else None, growth, projected))
        elif target.metric == TargetMetric.PARTNERS:
            out.append(_count_progress(target, Partner.objects.members().active(), "member_since", today))
        elif target.metric == TargetMetric.PROJECTS:
            projects = Project.objects.exclude(stage__in=["withdrawn", "failed"])
            out.append(_count_progress(target, projects, "created_at", today))
        elif target.metric == TargetMetric.PRODUCTS:
            out.append(_count_progress(target, Product.objects.all(), "created_at", today))
    return out


def monthly_growth(values: list[Decimal | None]) -> float | None:
    """Average growth per month from the first to the last value (compound), or None if it cannot be said."""
    if len(values) < 2 or any(value is None for value in values) or not values[0]:
        return None
    return float((values[-1] / values[0]) ** Decimal(1 / (len(values) - 1)) - 1) if values[-1] > 0 else -1.0


@dataclass
class PolicyEffect:
    policy: PolicyEvent
    before: float | None  # average growth per month in the 12 months before
    after: float | None  # and from the policy month on (up to 12 months)
    before_total: Decimal | None
    after_total: Decimal | None


def policy_effects(
    *, measure: str = "production", partner: Partner | None = None, staff: bool = False, today=None
) -> list[PolicyEffect]:
    """Growth before and after each policy date: for one partner's own figures, or alliance-wide (disclosed)."""
    today = today or timezone.localdate()
    last = last_complete_month(today)
    effects = []
    for policy in PolicyEvent.objects.all():
        start = month_of(policy.date)
        before_months = months_between(month_add(start, -12), month_add(start, -1))
        after_months = [m for m in months_between(start, month_add(start, 11)) if m <= last]
        if partner is None:
            series = _total_series(measure, staff=staff)
        else:
            series = dict(
                Fact.objects.filter(measure=measure, partner=partner)
                .values_list("period")
                .annotate(total=Sum("value"))
                .order_by()
            )
        before = [series.get(m, Decimal(0)) for m in before_months]
        after = [series.get(m, Decimal(0)) for m in after_months]
        effects.append(
            PolicyEffect(
                policy,
                monthly_growth(before),
                monthly_growth(after),
                _window_sum(series, before_months),
                _window_sum(series, after_months),
            )
        )
    return effects


# ---------------------------------------------------------------- the collaboration funnel


def funnel_rows(*, partner: Partner | None, staff: bool) -> list[dict]:
    """The funnel by stage: a partner's own projects (as owner), or the alliance's (disclosed to partners).

    Each row: stage, label, reached, current, median days, conversion from the stage before (percent), and
    whether it is suppressed; a suppressed alliance row has no figures for partners.
    """
    labels = dict(Stage.choices)
    rows = {row.stage: row for row in FunnelStage.objects.filter(partner=partner)}
    out = []
    for stage in ORDER:
        row = rows.get(stage)
        hidden = row is not None and row.status != CellStatus.SHOWN and not staff and partner is None
        entry = {"stage": stage, "label": labels[stage], "suppressed": hidden, "status": row.status if row else "shown"}
        if row is None or hidden:
            entry.update(reached=None if hidden else 0, current=None if hidden else 0, median_days=None)
        else:
            entry.update(reached=row.reached, current=row.current, median_days=row.median_days)
        if staff and row is not None and partner is None:
            entry.update(contributors=row.contributors, top_share=row.top_share)
        before = out[-1]["reached"] if out else None
        entry["conversion_pct"] = conversion_pct(entry["reached"], before)
        out.append(entry)
    return out


# ---------------------------------------------------------------- runs and warnings


def run_list() -> QuerySet[Run]:
    return Run.objects.order_by("-started_at", "-id")


def warning_list(*, partner: Partner | None) -> QuerySet[RiskWarning]:
    """Warnings about one partner (for its members), or all of them (staff: partner None)."""
    warnings = RiskWarning.objects.select_related("partner").order_by("-period", "kind", "id")
    return warnings.filter(partner=partner) if partner is not None else warnings
