"""The five risk rules: for each, a case just over its threshold (fires) and just under it (does not).

Each rule is called directly with an unsaved `RiskRule` and a fixed `today`, over facts planted in months no
other test uses, so nothing here depends on the date of the run or on other rows.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from portal.collaboration.models import Project
from portal.insights import risks
from portal.insights.choices import RiskKind
from portal.insights.models import Fact, RiskRule

from ..collaboration.factories import project_for

TODAY = datetime.date(2031, 7, 15)
LAST = datetime.date(2031, 6, 1)  # the last complete month of TODAY


def _month(offset: int) -> datetime.date:
    return risks.month_add(LAST, offset)


def _fact(partner, measure: str, period: datetime.date, value, d1: str = "") -> None:
    Fact.objects.create(measure=measure, period=period, d1=d1, partner=partner, value=Decimal(value))


def _fired(kind: str, threshold: float, partner) -> list[tuple]:
    """What the rule reports about `partner`: (period, subject, value) per warning."""
    warnings = risks.EVALUATORS[kind](RiskRule(kind=kind, threshold=threshold), TODAY)
    return [(w.period, w.subject, w.value) for w in warnings if w.partner_id == partner.pk]


@pytest.mark.parametrize(("now", "fires"), [(69, True), (70, False), (71, False)])
def test_production_drop_fires_only_above_the_threshold(world, now, fires):
    _fact(world.alpha, "production", _month(-1), 100)
    _fact(world.alpha, "production", LAST, now)
    expected = [(LAST, "", 31.0)] if fires else []
    assert _fired(RiskKind.PRODUCTION_DROP, 30, world.alpha) == expected


@pytest.mark.parametrize(
    ("mix", "fires"),
    [
        ({"HU": 11, "TH": 9}, True),  # Herfindahl 0.505
        ({"HU": 10, "TH": 10}, False),  # 0.5: not above
        ({"HU": 9}, False),  # one market only, but fewer than 10 vehicles
    ],
)
def test_export_concentration_fires_only_above_the_threshold(world, mix, fires):
    for destination, count in mix.items():
        _fact(world.alpha, "exports", _month(-11), count, d1=destination)  # the oldest month of the 12
    _fact(world.alpha, "exports", _month(-12), 1000, d1="SA")  # 13 months back: outside the window
    expected = [(LAST, "HU", 0.505)] if fires else []
    assert _fired(RiskKind.EXPORT_CONCENTRATION, 0.5, world.alpha) == expected


@pytest.mark.parametrize(("count", "fires"), [(3, True), (2, False)])
def test_expiry_wave_fires_from_the_threshold_within_six_months(world, count, fires):
    in_window, beyond = datetime.date(2031, 12, 1), datetime.date(2032, 1, 1)  # TODAY's month + 5, + 6
    _fact(world.alpha, "certificates_expiring", in_window, count)
    _fact(world.alpha, "certificates_expiring", beyond, 50)
    expected = [(in_window, "", float(count))] if fires else []
    assert _fired(RiskKind.EXPIRY_WAVE, 3, world.alpha) == expected


@pytest.mark.parametrize(
    ("before", "now", "fires"),
    [
        (3, 6, True),  # twice the average of 3
        (3, 5, False),
        (0, 2, True),  # from nothing, two blocks are enough
        (0, 1, False),  # one block is never a trend
    ],
)
def test_rising_blocks_fire_from_the_threshold_times_the_average(world, before, now, fires):
    for offset in (-1, -2, -3):
        _fact(world.alpha, "shipments_blocked", _month(offset), before)
    _fact(world.alpha, "shipments_blocked", LAST, now)
    expected = [(LAST, "", float(now))] if fires else []
    assert _fired(RiskKind.RISING_BLOCKS, 2, world.alpha) == expected


@pytest.mark.parametrize(("idle_hours", "fires"), [(30 * 24 + 1, True), (30 * 24 - 1, False)])
def test_stalled_projects_fire_after_the_threshold_in_days(world, idle_hours, fires):
    project = project_for(world.alpha, title="Idle pack")
    Project.objects.filter(pk=project.pk).update(stage_changed_at=timezone.now() - datetime.timedelta(hours=idle_hours))
    expected = [(risks.month_of(TODAY), "", 1)] if fires else []
    assert _fired(RiskKind.STALLED_PROJECTS, 30, world.alpha) == expected
