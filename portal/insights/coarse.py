"""Quarterly cells, computed on read from the partners' facts with the disclosure control of the monthly cells.

A month with too few contributors is often disclosed once three months are added up. Quarters are protected as
months are (primary rule; secondary suppression with the total and across breakdowns) and, because the monthly
cells are published as well, by one more rule: a quarter minus its shown months is the sum of its suppressed
months, so that sum must be safe too, or the quarter is hidden.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import connection

from portal.core.months import month_add, months_between, quarter_of

from .choices import CellStatus
from .disclosure import TOTAL, is_safe, merged
from .measures import Measure
from .models import Cell
from .pipeline import breakdown_rows, period_cells


def quarter_months(quarter: datetime.date) -> list[datetime.date]:
    return months_between(quarter, month_add(quarter, 2))


def quarter_cells(*, measure: Measure, first: datetime.date, last: datetime.date) -> list[Cell]:
    """Unsaved cells of a stored measure, every breakdown, for each quarter from `first`'s to `last`'s."""
    months = months_between(quarter_of(first), month_add(quarter_of(last), 2))
    monthly: dict[tuple[str, str, datetime.date], dict[int, Decimal]] = {}
    # quarter → breakdown → key → partner → value
    quarters: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(dict)))
    with connection.cursor() as cursor:
        for breakdown in measure.breakdowns:
            for month, key, partner_id, value in breakdown_rows(cursor, measure, breakdown, months):
                key = key or TOTAL
                monthly[(breakdown, key, month)] = {**monthly.get((breakdown, key, month), {}), partner_id: value}
                figures = quarters[quarter_of(month)][breakdown][key]
                figures[partner_id] = figures.get(partner_id, Decimal(0)) + value
    suppressed_months = set(
        Cell.objects.filter(measure=measure.code, period__in=months)
        .exclude(status=CellStatus.SHOWN)
        .values_list("breakdown", "key", "period")
    )
    cells: list[Cell] = []
    for quarter, by_breakdown in sorted(quarters.items()):
        revealing: dict[str, set[str]] = defaultdict(set)
        for breakdown, table in by_breakdown.items():
            for key in table:
                hidden = [
                    monthly.get((breakdown, key, month), {})
                    for month in quarter_months(quarter)
                    if (breakdown, key, month) in suppressed_months
                ]
                if hidden and not is_safe(merged(hidden)):
                    revealing[breakdown].add(key)
        cells.extend(period_cells(measure.code, quarter, by_breakdown, revealing))
    return cells
