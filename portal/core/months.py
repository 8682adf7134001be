"""Month arithmetic for statistics periods (a period is the first day of its month)."""

import datetime


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_add(month: datetime.date, months: int) -> datetime.date:
    """The month `months` after (or before, when negative) `month`."""
    index = month.year * 12 + month.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """Every month from `first` to `last`, both included."""
    months, month = [], month_of(first)
    while month <= last:
        months.append(month)
        month = month_add(month, 1)
    return months


def last_complete_month(today: datetime.date) -> datetime.date:
    return month_add(month_of(today), -1)


def quarter_of(day: datetime.date) -> datetime.date:
    """The first day of the quarter `day` is in."""
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
