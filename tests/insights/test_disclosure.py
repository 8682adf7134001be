"""Disclosure control on tables built to break it: the primary rule, secondary suppression, and no back-out."""

import datetime
import random
from decimal import Decimal

import pytest

from portal.insights.choices import Breakdown, CellStatus
from portal.insights.disclosure import TOTAL, is_safe, protect
from portal.insights.models import Cell, Fact
from portal.insights.pipeline import cells_rebuild
from tenants.choices import PartnerKind

from ..factories import PartnerRowFactory

SHOWN, PRIMARY, SECONDARY = CellStatus.SHOWN, CellStatus.PRIMARY, CellStatus.SECONDARY
D = Decimal


def cell(*values) -> dict[int, Decimal]:
    """A cell from its partners' values: partner 1 has the first, partner 2 the second, …"""
    return {partner: D(value) for partner, value in enumerate(values, start=1) if value is not None}


def with_total(table: dict) -> dict:
    total: dict[int, Decimal] = {}
    for by_partner in table.values():
        for partner, value in by_partner.items():
            total[partner] = total.get(partner, D(0)) + value
    return {**table, TOTAL: total}


def safe(by_partner: dict) -> bool:
    """The rule, written again here: ≥ 3 partners with a non-zero value and none above 85 % (a zero is safe)."""
    value = sum(by_partner.values())
    if value == 0:
        return True
    contributing = [v for v in by_partner.values() if v]
    return len(contributing) >= 3 and max(contributing) / value <= D("0.85")


# ---------------------------------------------------------------- primary rule


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ((50, 50), False),  # two contributors
        ((90, 5, 5), False),  # three, one at 90 %
        ((86, 7, 7), False),  # 86 % > 85 %
        ((85, 10, 5), True),  # exactly 85 %: allowed
        ((40, 30, 30), True),  # three balanced
        ((100,), False),
        ((30, 30, 0, 40), True),  # a partner with 0 does not contribute, but three others do
        ((50, 50, 0), False),  # … and here only two do
        ((0, 0, 0), True),  # nothing happened: nothing to reveal
    ],
)
def test_primary_rule(values, expected):
    assert is_safe(cell(*values)) is expected
    assert protect({"a": cell(*values)}, has_total=False) == {"a": SHOWN if expected else PRIMARY}


# ---------------------------------------------------------------- secondary suppression


def test_one_suppressed_cell_and_a_total_hide_another_cell():
    table = with_total(
        {
            "few": cell(10, None, None, None),  # one partner: primary
            "small": cell(None, 5, 5, 5),
            "big": cell(None, 40, 40, 40, 40),
        }
    )
    status = protect(table)
    assert status["few"] == PRIMARY
    # Total − shown would be "few" alone: the smallest safe cell goes too, and the total stays.
    assert status == {"few": PRIMARY, "small": SECONDARY, "big": SHOWN, TOTAL: SHOWN}
    hidden = with_total({k: table[k] for k in ("few", "small")})[TOTAL]
    assert safe(hidden)


def test_suppressed_cells_whose_union_is_unsafe_hide_more():
    # Two primary cells of the same dominant partner: together still one partner → a third must go.
    table = with_total(
        {
            "a": cell(10),
            "b": cell(12),
            "c": cell(None, 3, 3, 3),
            "d": cell(None, 30, 30, 30),
        }
    )
    status = protect(table)
    assert status["a"] == status["b"] == PRIMARY
    assert status["c"] == SECONDARY and status["d"] == SHOWN and status[TOTAL] == SHOWN
    assert safe(with_total({k: table[k] for k in "abc"})[TOTAL])


def test_union_still_dominated_hides_cells_until_safe():
    # Partner 1 dominates each small cell; the union of the two suppressed ones is still 90 % partner 1.
    table = with_total(
        {
            "a": cell(45, 5),
            "b": cell(45, None, 5),
            "c": cell(None, 20, 20, 20),
            "d": cell(None, 60, 60, 60),
        }
    )
    status = protect(table)
    assert status["a"] == status["b"] == PRIMARY
    assert status["c"] == SECONDARY and status["d"] == SHOWN
    assert safe(with_total({k: table[k] for k in "abc"})[TOTAL])


def test_a_table_with_no_safe_cell_to_spare_hides_them_all_but_keeps_the_total():
    table = with_total({"a": cell(10), "b": cell(None, 10), "c": cell(None, None, 10)})
    status = protect(table)
    assert status == {"a": PRIMARY, "b": PRIMARY, "c": PRIMARY, TOTAL: SHOWN}


def test_an_unsafe_total_is_suppressed_and_nothing_else_needs_to_go():
    table = with_total({"a": cell(10), "b": cell(None, 10)})
    assert protect(table) == {"a": PRIMARY, "b": PRIMARY, TOTAL: PRIMARY}


def test_parts_that_do_not_add_up_to_the_total_hide_the_total():
    # Nothing safe is left to hide beside the suppressed cell, and its union is unsafe: the total goes.
    table = {"a": cell(10), TOTAL: cell(10, 10, 10)}
    assert protect(table) == {"a": PRIMARY, TOTAL: SECONDARY}


def test_zero_cells_are_shown_and_never_protect_anything():
    table = with_total(
        {"zero": cell(0, 0, 0), "few": cell(10), "ok": cell(None, 7, 7, 7), "big": cell(None, 50, 50, 50)}
    )
    status = protect(table)
    assert status["few"] == PRIMARY and status["big"] == SHOWN
    # Hiding the zero alone would leave total − shown = "few": a non-zero cell must go as well.
    assert status["ok"] == SECONDARY
    shown_sum = sum(sum(table[k].values()) for k in ("zero", "few", "ok", "big") if status[k] == SHOWN)
    assert sum(table[TOTAL].values()) - shown_sum != sum(table["few"].values())


def test_without_a_total_no_secondary_suppression():
    table = {"few": cell(10), "ok": cell(5, 5, 5)}
    assert protect(table, has_total=False) == {"few": PRIMARY, "ok": SHOWN}


# ---------------------------------------------------------------- property: nothing can be backed out


def _random_table(rng: random.Random) -> dict:
    partners = rng.randrange(1, 7)
    table = {}
    for index in range(rng.randrange(1, 7)):
        values = {}
        for partner in range(1, partners + 1):
            roll = rng.random()
            if roll < 0.45:
                continue
            values[partner] = D(0) if roll < 0.5 else D(rng.choice([1, 2, 3, 5, 10, 50, 100, 1000]))
        table[f"k{index}"] = values
    return with_total(table)


def test_no_suppressed_cell_can_be_recovered_from_the_total_and_the_shown_cells():
    rng = random.Random(85)
    checked = secondary = 0
    for _ in range(3000):
        table = _random_table(rng)
        status = protect(table)
        keys = [k for k in table if k != TOTAL]
        assert set(status) == set(table)
        for key in table:
            if not safe(table[key]):
                assert status[key] == PRIMARY, (table, status)
        if status[TOTAL] != SHOWN:
            continue
        hidden = [k for k in keys if status[k] != SHOWN]
        if not hidden:
            continue
        checked += 1
        secondary += any(status[k] == SECONDARY for k in hidden)
        union = with_total({k: table[k] for k in hidden})[TOTAL]
        assert safe(union), (table, status)
        recovered = sum(table[TOTAL].values()) - sum(sum(table[k].values()) for k in keys if status[k] == SHOWN)
        for key in hidden:
            if status[key] == PRIMARY:
                assert recovered != sum(table[key].values()), (table, status)
        # Suppression is minimal enough: no more hidden cells than needed plus one at a time (greedy).
        assert len(hidden) <= len(keys)
    assert checked > 300 and secondary > 100  # the generator really builds tables that need secondary suppression


# ---------------------------------------------------------------- end to end through cells_rebuild

PERIOD = datetime.date(2025, 3, 1)


@pytest.fixture
def row_partners(db):
    """Five partners without schemas (facts are written directly): three EV makers, two battery makers."""
    kinds = [PartnerKind.EV_MAKER] * 3 + [PartnerKind.BATTERY_MAKER] * 2
    return [
        PartnerRowFactory(kind=kind, country=country)
        for kind, country in zip(kinds, ["CN", "CN", "TH", "CN", "TH"], strict=True)
    ]


def _facts(measure: str, rows) -> None:
    Fact.objects.bulk_create(
        [Fact(measure=measure, period=PERIOD, d1=d1, d2=d2, partner=p, value=D(v)) for p, d1, d2, v in rows]
    )


def _status(measure: str) -> dict:
    return {(c.breakdown, c.key): c.status for c in Cell.objects.filter(measure=measure, period=PERIOD)}


def test_cells_rebuild_applies_primary_and_secondary_suppression(row_partners):
    a, b, c, d, e = row_partners
    _facts(
        "production",
        [
            (a, "L3e", "", 100),
            (b, "L3e", "", 90),
            (c, "L3e", "", 80),
            (d, "L3e", "", 120),
            (a, "M1", "", 7),  # one partner: primary
            (b, "L1e", "", 10),
            (c, "L1e", "", 10),
            (e, "L1e", "", 10),
        ],
    )
    cells_rebuild(periods=[PERIOD], measures=["production"])
    status = _status("production")
    assert status[("category", "M1")] == PRIMARY
    assert status[("category", "L1e")] == SECONDARY  # else total − L3e reveals M1
    assert status[("category", "L3e")] == SHOWN
    assert status[("total", "")] == SHOWN
    # Partner kinds: battery makers are d and e only (d dominates): suppressed, and the EV makers with them.
    assert status[("kind", "battery_maker")] == PRIMARY
    assert status[("kind", "ev_maker")] == SECONDARY
    assert status[("country", "TH")] == PRIMARY  # c and e: two partners
    assert status[("country", "CN")] == SECONDARY
    values = {(x.breakdown, x.key): x.value for x in Cell.objects.filter(measure="production")}
    assert values[("total", "")] == D(427)


def test_cells_rebuild_hides_the_total_when_it_is_unsafe(row_partners):
    a, b, *_rest = row_partners
    _facts("supply_total", [(a, "", "", 1000), (b, "", "", 10)])
    cells_rebuild(periods=[PERIOD], measures=["supply_total"])
    assert _status("supply_total") == {("total", ""): PRIMARY, ("kind", "ev_maker"): PRIMARY}


def test_cells_rebuild_recomputes_and_replaces(row_partners):
    a, b, c, *_rest = row_partners
    _facts("supply_local", [(a, "", "", 10), (b, "", "", 10), (c, "", "", 10)])
    cells_rebuild(periods=[PERIOD], measures=["supply_local"])
    first = set(Cell.objects.filter(measure="supply_local").values_list("breakdown", "key", "value", "status"))
    assert first == {("total", "", D(30), SHOWN), ("kind", "ev_maker", D(30), SHOWN)}
    cells_rebuild(periods=[PERIOD], measures=["supply_local"])
    assert set(Cell.objects.filter(measure="supply_local").values_list("breakdown", "key", "value", "status")) == first
    Fact.objects.filter(partner=c).delete()
    cells_rebuild(periods=[PERIOD], measures=["supply_local"])
    assert set(Cell.objects.filter(measure="supply_local").values_list("breakdown", "key", "value", "status")) == {
        ("total", "", D(20), PRIMARY),
        ("kind", "ev_maker", D(20), PRIMARY),
    }


def test_stage_entries_cannot_be_backed_out_through_the_kind_breakdown(row_partners):
    """project_stage_entries has no published total, but its kinds and its stages add up to the same number:
    with every kind shown, sum(kinds) − shown stages would reveal a suppressed stage."""
    a, b, c, *_rest = row_partners  # all three EV makers: their kind's cell is safe
    _facts(
        "project_stage_entries",
        [
            (a, "proposed", "", 5),
            (b, "proposed", "", 5),
            (c, "proposed", "", 5),
            (a, "signed", "", 1),  # one partner: primary
        ],
    )
    cells_rebuild(periods=None, measures=["project_stage_entries"])
    stored = {(x.breakdown, x.key): (x.value, x.status) for x in Cell.objects.filter(measure="project_stage_entries")}
    assert stored[(Breakdown.STAGE, "signed")] == (D(1), PRIMARY)
    kinds_shown = [v for (b_, _k), (v, s) in stored.items() if b_ == Breakdown.KIND and s == SHOWN]
    kinds_all = [v for (b_, _k), (v, _s) in stored.items() if b_ == Breakdown.KIND]
    stages_shown = [v for (b_, _k), (v, s) in stored.items() if b_ == Breakdown.STAGE and s == SHOWN]
    assert len(kinds_shown) == len(kinds_all) == 1  # the one kind is safe and shown …
    assert sum(kinds_shown) - sum(stages_shown) != D(1), stored  # … so a stage beside "signed" must go


def _contributions(measure: str, breakdown: str, partners) -> dict:
    """key → partner → value, from the stored facts (the kind and country of the partner rows)."""
    from portal.insights.measures import MEASURES

    attribute = {"kind": "kind", "country": "country"}.get(breakdown)
    column = MEASURES[measure].dimensions.get(breakdown)
    by_pk = {p.pk: p for p in partners}
    table: dict = {}
    for fact in Fact.objects.filter(measure=measure, period=PERIOD):
        if breakdown == Breakdown.TOTAL:
            key = ""
        elif attribute:
            key = str(getattr(by_pk[fact.partner_id], attribute))
        else:
            key = getattr(fact, column)
        cell_ = table.setdefault(key, {})
        cell_[fact.partner_id] = cell_.get(fact.partner_id, D(0)) + fact.value
    return table


@pytest.mark.parametrize("measure", ["production", "project_stage_entries"])
def test_published_cells_never_reveal_a_suppressed_one_across_breakdowns(db, measure):
    """Random facts of six partners, rebuilt into cells: in every breakdown, the suppressed cells together are
    safe whenever their sum can be had (from the published total, or from another breakdown shown in full)."""
    from portal.insights.measures import MEASURES

    rng = random.Random(7)
    # Two kinds of three partners each: a kind's cell is often safe, so that breakdown is often shown in full.
    kinds = [PartnerKind.EV_MAKER] * 3 + [PartnerKind.BATTERY_MAKER] * 3
    partners = [PartnerRowFactory(kind=kind, country=rng.choice(["CN", "TH", "HU"])) for kind in kinds]
    keys = ["L1e", "L3e", "M1", "N1"] if measure == "production" else ["proposed", "docked", "signed", "launched"]
    breakdowns = [b for b in MEASURES[measure].breakdowns if b != Breakdown.TOTAL]
    checked = 0
    for _round in range(100):
        Fact.objects.filter(measure=measure).delete()
        rows = []
        for partner in rng.sample(partners, rng.randrange(1, 7)):
            for key in rng.sample(keys, rng.randrange(1, 4)):
                rows.append((partner, key, "", rng.choice([1, 2, 3, 5, 8])))
        _facts(measure, rows)
        cells_rebuild(periods=None, measures=[measure])
        status = {(c.breakdown, c.key): c.status for c in Cell.objects.filter(measure=measure, period=PERIOD)}
        everything = _contributions(measure, Breakdown.TOTAL, partners)[""]
        total_status = status.get((Breakdown.TOTAL, ""))
        shown_in_full = [b for b in breakdowns if all(s == SHOWN for (b_, _k), s in status.items() if b_ == b)]
        for breakdown in breakdowns:
            table = _contributions(measure, breakdown, partners)
            assert {k for (b_, k) in status if b_ == breakdown} == set(table)
            for key, by_partner in table.items():
                if not safe(by_partner):
                    assert status[(breakdown, key)] != SHOWN, (breakdown, key, by_partner)
            hidden = [k for k in table if status[(breakdown, k)] != SHOWN]
            sum_known = total_status == SHOWN or any(other != breakdown for other in shown_in_full)
            if hidden and sum_known:
                checked += 1
                assert safe(with_total({k: table[k] for k in hidden})[TOTAL]), (breakdown, table, status)
        if total_status is not None:
            assert (total_status == SHOWN) == safe(everything) or total_status == SECONDARY
    assert checked > 5  # the generator does build tables whose suppressed cells' sum can be had
