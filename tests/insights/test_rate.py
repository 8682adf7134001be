"""The local supply rate: a percentage of two stored measures, shown only where both are, and one's own in full."""

import datetime
from decimal import Decimal

from portal.insights.choices import CellStatus
from portal.insights.measures import MEASURES
from portal.insights.models import Cell, Fact
from portal.insights.selectors import Selection, table_get
from portal.integrations.services import api_key_create

from ..conftest import client_for

JAN, FEB = datetime.date(2026, 1, 1), datetime.date(2026, 2, 1)


def _cell(measure: str, period, value, status=CellStatus.SHOWN):
    Cell.objects.create(
        measure=measure,
        breakdown="total",
        period=period,
        key="",
        value=Decimal(value),
        contributors=4,
        top_share=0.3,
        status=status,
    )


def _data(world):
    _cell("supply_total", JAN, 1000)
    _cell("supply_local", JAN, 600)
    _cell("supply_total", FEB, 2000)
    _cell("supply_local", FEB, 900, status=CellStatus.PRIMARY)  # the rate of February would reveal it
    for measure, value in (("supply_total", 400), ("supply_local", 100)):
        Fact.objects.create(measure=measure, period=JAN, partner=world.alpha, value=Decimal(value))


def test_the_rate_is_shown_only_where_both_measures_are(world):
    _data(world)
    selection = Selection(MEASURES["local_supply_rate"], "total", JAN, FEB)
    rows = {row["period"]: row for row in table_get(selection=selection, staff=False, partner=world.alpha).rows()}
    assert rows[JAN]["value"] == Decimal("60.00") and rows[JAN]["own"] == Decimal("25.00")
    assert rows[FEB]["value"] is None and rows[FEB]["suppressed"]
    staff = {row["period"]: row for row in table_get(selection=selection, staff=True).rows()}
    assert staff[FEB]["value"] == Decimal("45.00")


def test_the_api_gives_the_rate_with_the_same_disclosure(world):
    _data(world)
    _key, raw = api_key_create(partner=world.alpha, name="BI", scopes=["insights:read"])
    url = "/api/v1/statistics/cells/?measure=local_supply_rate&first=2026-01&last=2026-02"
    rows = client_for(world.alpha).get(url, HTTP_AUTHORIZATION=f"Api-Key {raw}").json()["results"]
    assert [(row["period"], row["value"], row["own_value"]) for row in rows] == [
        ("2026-01-01", "60.00", "25.00"),
        ("2026-02-01", None, None),
    ]
