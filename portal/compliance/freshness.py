"""Freshness of the restricted-party lists: a list past its refresh interval warns on every check."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from portal.reference.models import ScreeningList

from .choices import Severity
from .verdict import Reason

STALE_CODE = "screening_list_stale"


@dataclass(frozen=True)
class ListFreshness:
    """A screening list's source, last update and whether it is stale on a day."""

    pk: int
    name: str
    source_url: str
    publisher: str
    updated_on: datetime.date
    refresh_days: int
    stale_since: datetime.date
    stale: bool


def screening_lists(*, today: datetime.date) -> list[ListFreshness]:
    """Every screening list with its freshness on `today` (one query)."""
    rows = []
    for row in ScreeningList.objects.order_by("name"):
        stale_since = row.updated_on + datetime.timedelta(days=row.refresh_days + 1)
        rows.append(
            ListFreshness(
                pk=row.pk,
                name=row.name,
                source_url=row.source_url,
                publisher=row.publisher,
                updated_on=row.updated_on,
                refresh_days=row.refresh_days,
                stale_since=stale_since,
                stale=today >= stale_since,
            )
        )
    return rows


def stale_list_reasons(*, today: datetime.date) -> list[Reason]:
    """A warning line (information: it does not change the verdict) for each list stale on `today`."""
    return [
        Reason(
            STALE_CODE,
            Severity.INFO,
            f"list:{item.pk}",
            {
                "list": item.name,
                "source": item.source_url or item.publisher,
                "updated_on": item.updated_on.isoformat(),
                "refresh_days": item.refresh_days,
                "stale_since": item.stale_since.isoformat(),
            },
        )
        for item in screening_lists(today=today)
        if item.stale
    ]
