"""Fixtures of the statistics tests."""

import datetime
from decimal import Decimal

import pytest

from portal.insights.choices import CellStatus
from portal.insights.models import Cell, Fact

MONTH = datetime.date(2026, 3, 1)
HIDDEN = Decimal("4713.00")  # a suppressed cell's value: partners must never see it
SHOWN = Decimal("8812.00")


def _cell(key: str, value: Decimal, contributors: int, top_share: float, status: str) -> Cell:
    return Cell.objects.create(
        measure="production",
        breakdown="category",
        period=MONTH,
        key=key,
        value=value,
        contributors=contributors,
        top_share=top_share,
        status=status,
    )


@pytest.fixture
def cells(world):
    """A shown (L3e) and a suppressed (M1) production cell; alpha's own L3e figure and beta's own M1 figure."""
    _cell("L3e", SHOWN, 4, 0.4, CellStatus.SHOWN)
    _cell("M1", HIDDEN, 2, 0.7, CellStatus.PRIMARY)
    Fact.objects.create(measure="production", period=MONTH, d1="L3e", partner=world.alpha, value=Decimal("1234"))
    Fact.objects.create(measure="production", period=MONTH, d1="M1", partner=world.beta, value=Decimal("987654"))
