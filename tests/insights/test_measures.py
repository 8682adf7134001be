"""Every measure's facts against a recomputation from the raw rows, and every cell against the sum of its facts."""

import datetime
import random
from collections import defaultdict
from decimal import Decimal

import pytest

from portal.collaboration.models import Transition
from portal.insights.choices import Breakdown, RunKind, RunStatus
from portal.insights.measures import PARTNER_MEASURES, STORED_MEASURES
from portal.insights.models import Cell, Fact
from portal.insights.pipeline import run_inline

from ..collaboration.factories import project_for
from .factories import (
    at,
    battery_model_row,
    battery_row,
    cells,
    cells_expected,
    certificate_row,
    check_row,
    facts,
    facts_expected,
    model_row,
    month,
    partner_make,
    shipment_row,
    supply_row,
    vehicle_row,
)

MONTHS = [month(2025, 1), month(2025, 2), month(2025, 3), month(2025, 12)]
CATEGORIES = ["L1e", "L3e", "M1"]
COUNTRIES = ["CN", "TH", "HU"]
DESTINATIONS = ["HU", "TH", "AE"]
CERTIFICATE_TYPES = ["un38-3", "un-r136", "un-r155"]
REASONS = ["embargo", "certificate_missing", "dual_use"]
JAN_10, MAR_10 = datetime.date(2025, 1, 10), datetime.date(2025, 3, 10)

# The measures with facts and cells of their own (a percentage like the local supply rate is computed on read).
MEASURES = {measure.code: measure for measure in STORED_MEASURES}


def _day(rng, first: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randrange(28))


def _partner_data(partner, rng, vehicles: int) -> None:
    """Vehicles (some registered), shipments (some shipped), checks, certificates and supply reports."""
    models = [model_row(partner, category) for category in CATEGORIES]
    made = []
    for _ in range(vehicles):
        produced = _day(rng, rng.choice(MONTHS))
        registered = None
        country = ""
        if rng.random() < 0.6:
            registered = _day(rng, rng.choice(MONTHS))
            country = rng.choice(COUNTRIES) if rng.random() < 0.9 else ""  # a date without a country: not counted
        made.append(vehicle_row(partner, rng.choice(models), produced, registered, country))
    rng.shuffle(made)
    for index in range(4):
        batch, made = made[:3], made[3:]
        shipped = at(_day(rng, rng.choice(MONTHS)), hour=rng.choice([0, 12, 23])) if index != 3 else None
        shipment = shipment_row(partner, batch, destination=rng.choice(DESTINATIONS), shipped_at=shipped)
        for _check in range(rng.randrange(1, 4)):
            verdict = rng.choice(["blocked", "blocked", "cleared", "needs_review"])
            reasons = [(code, rng.choice(["block", "review", "info"])) for code in rng.sample(REASONS, 2)]
            check_row(partner, shipment, verdict=verdict, checked_at=at(_day(rng, rng.choice(MONTHS))), reasons=reasons)
    # A shipment blocked twice in one month counts once that month (and once more in another month).
    twice = shipment_row(partner, made[:1], destination="AE")
    for day, hour in ((JAN_10, 1), (JAN_10, 2), (MAR_10, 3)):
        check_row(partner, twice, verdict="blocked", checked_at=at(day, hour), reasons=[("embargo", "block")])
    # Released by compliance officers: counted as released, not as blocked (nor among the reasons that block).
    released = shipment_row(partner, made[2:3], destination="AE")
    for verdict, day, reason in (
        ("blocked", JAN_10, ("embargo", "block")),
        ("needs_review", MAR_10, ("dual_use", "review")),
    ):
        check_row(partner, released, verdict=verdict, checked_at=at(day), reasons=[reason], released=True)
    # Cancelled after a shipping date was set: not an export.
    shipment_row(partner, made[1:2], destination="TH", shipped_at=at(JAN_10), status="cancelled")
    for code in CERTIFICATE_TYPES:
        certificate_row(partner, code, _day(rng, rng.choice(MONTHS)))
    certificate_row(partner, "un38-3", None)  # never expires: not counted
    for when in rng.sample(MONTHS, 3):
        total = rng.randrange(1000, 9000)
        supply_row(partner, when, total, rng.randrange(0, total))
    supply_row(partner, month(2024, 6), 0, 0)  # a month with nothing bought: no fact
    _batteries(partner, rng)


# Passport values as partners write them: classes with and without "class", shares with "%" and decimal commas,
# text where a number belongs, a share above 100 %.
CLASSES = ["B", "class a", " C ", "", "pending", None]
SHARES = ["4 %", "6,5", "0", "12.25%", "See the declaration", "150", "55", None]


def _passport(rng, prefix: str = "") -> dict:
    values = {"carbon_footprint_performance_class": rng.choice(CLASSES)}
    for material in ("cobalt", "lithium", "nickel", "lead"):
        for stage in ("pre", "post"):
            values[f"{stage}_consumer_recycled_{material}_share"] = rng.choice(SHARES)
    return {code: value for code, value in values.items() if value is not None and rng.random() < 0.8}


def _batteries(partner, rng) -> None:
    """Battery models of each category, batteries registered in the months (some with values of their own)."""
    models = [
        battery_model_row(partner, category, chemistry, **_passport(rng))
        for category, chemistry in (("EV", "NMC"), ("LMT", "LFP"), ("industrial", "LFP"))
    ]
    for _ in range(8):
        own = _passport(rng) if rng.random() < 0.4 else {}
        battery_row(partner, rng.choice(models), at(_day(rng, rng.choice(MONTHS)), hour=rng.choice([0, 12, 23])), **own)


def _projects(partners, rng) -> None:
    for index, owner in enumerate(partners):
        project = project_for(owner, title=f"Stats project {index}", partners=[p for p in partners if p != owner])
        stages = ["negotiating", "docked", "signed"]
        for stage in stages[: index + 1]:
            Transition.objects.create(
                project=project, from_stage="", to_stage=stage, at=at(_day(rng, rng.choice(MONTHS)))
            )
    # The same project entering the same stage twice in a month counts once.
    Transition.objects.create(project=project, to_stage="docked", at=at(month(2025, 2)))
    Transition.objects.create(project=project, to_stage="docked", at=at(month(2025, 2) + datetime.timedelta(days=3)))


@pytest.fixture
def data(world):
    rng = random.Random(20250701)
    gamma = partner_make("gamma", name="Gamma Parts")
    partners = [world.alpha, world.beta, gamma]
    for partner, count in zip(partners, [24, 18, 15], strict=True):
        _partner_data(partner, rng, count)
    _projects(partners, rng)
    return partners


def test_every_fact_equals_the_raw_rows_recomputed(data):
    run = run_inline(kind=RunKind.FULL)

    expected = facts_expected(data)
    stored = facts()
    assert run.status == RunStatus.FINISHED and run.errors == []
    # Every measure has figures in this data, so no comparison below is vacuous.
    assert {key[0] for key in expected} == set(MEASURES)
    for code in MEASURES:
        mine = {key: value for key, value in stored.items() if key[0] == code}
        theirs = {key: value for key, value in expected.items() if key[0] == code}
        assert mine == theirs, code
    assert stored == expected
    assert run.facts_written == len(expected)
    assert all(value != 0 for value in stored.values())


def test_each_partner_facts_are_its_own(data):
    run_inline(kind=RunKind.FULL)
    for partner in data:
        own = {key: value for key, value in facts_expected([partner]).items() if key[0] != "project_stage_entries"}
        partner_facts = {k: v for k, v in facts(partner=partner).items() if k[0] != "project_stage_entries"}
        assert partner_facts == own, partner.schema_name


def test_cells_are_the_sums_of_the_facts_per_breakdown(data):
    run_inline(kind=RunKind.FULL)

    expected = cells_expected(facts())
    stored = cells()
    breakdowns = {(key[0], key[1]) for key in stored}
    # Every breakdown of every measure is there: category, region, destination, kind, country, reason, …
    assert breakdowns == {(code, b) for code, measure in MEASURES.items() for b in measure.breakdowns}
    assert {b for _code, b in breakdowns} == set(Breakdown.values)
    assert stored == expected
    assert Cell.objects.count() == len(expected)


def test_cell_contributors_and_top_share(data):
    run_inline(kind=RunKind.FULL)
    by_cell: dict = defaultdict(lambda: defaultdict(Decimal))
    kinds = {partner.pk: partner.kind for partner in data}
    countries = {partner.pk: str(partner.country) for partner in data}
    for (code, period, d1, d2, partner_id), value in facts().items():
        measure = MEASURES[code]
        for breakdown in measure.breakdowns:
            key = {
                Breakdown.TOTAL: "",
                Breakdown.KIND: kinds.get(partner_id),
                Breakdown.COUNTRY: countries.get(partner_id),
            }.get(breakdown)
            if key is None:
                key = {"d1": d1, "d2": d2}[measure.dimensions[breakdown]]
            by_cell[(code, breakdown, period, key)][partner_id] += value
    for cell in Cell.objects.all():
        shares = by_cell[(cell.measure, cell.breakdown, cell.period, cell.key)]
        assert cell.contributors == len(shares), cell
        assert cell.top_share == pytest.approx(float(max(shares.values()) / sum(shares.values())), abs=1e-4), cell


def test_totals_agree_across_breakdowns(data):
    """Each breakdown that partitions a measure (not reasons: a shipment may have several) sums to its total."""
    run_inline(kind=RunKind.FULL)
    stored = cells()
    for code, measure in MEASURES.items():
        if Breakdown.TOTAL not in measure.breakdowns:
            continue
        totals = {period: value for (c, b, period, _k), value in stored.items() if c == code and b == Breakdown.TOTAL}
        for breakdown in measure.breakdowns:
            sums: dict = defaultdict(Decimal)
            for (c, b, period, _k), value in stored.items():
                if c == code and b == breakdown:
                    sums[period] += value
            assert dict(sums) == totals, (code, breakdown)


def test_project_stage_entries_follow_the_transitions(data):
    run_inline(kind=RunKind.FULL)
    stored = facts(measure="project_stage_entries")
    expected: dict = defaultdict(set)
    for transition in Transition.objects.select_related("project"):
        moment = transition.at.astimezone(datetime.UTC)
        expected[(moment.date().replace(day=1), transition.to_stage, transition.project.owner_id)].add(
            transition.project_id
        )
    assert {(period, d1, partner): value for (_m, period, d1, _d2, partner), value in stored.items()} == {
        key: Decimal(len(ids)) for key, ids in expected.items()
    }
    # The repeated "docked" entry of February is one project, once.
    feb = month(2025, 2)
    owner = data[-1].pk
    assert stored[("project_stage_entries", feb, "docked", "", owner)] >= 1
    docked_in_feb = {
        t.project_id
        for t in Transition.objects.filter(to_stage="docked", project__owner_id=owner)
        if t.at.astimezone(datetime.UTC).date().replace(day=1) == feb
    }
    assert stored[("project_stage_entries", feb, "docked", "", owner)] == len(docked_in_feb)


def test_a_month_boundary_in_utc(world):
    """A shipment shipped at 23:30 UTC on 31 January counts in January, one at 00:30 on 1 February in February."""
    model = model_row(world.alpha, "L3e")
    first, second = (vehicle_row(world.alpha, model, month(2025, 1)) for _ in range(2))
    shipment_row(
        world.alpha, [first], destination="TH", shipped_at=datetime.datetime(2025, 1, 31, 23, 30, tzinfo=datetime.UTC)
    )
    shipment_row(
        world.alpha, [second], destination="TH", shipped_at=datetime.datetime(2025, 2, 1, 0, 30, tzinfo=datetime.UTC)
    )
    run_inline(kind=RunKind.FULL)
    assert facts(measure="exports") == {
        ("exports", month(2025, 1), "TH", "L3e", world.alpha.pk): 1,
        ("exports", month(2025, 2), "TH", "L3e", world.alpha.pk): 1,
    }


def test_partner_measures_are_every_measure_but_projects(db):
    assert {measure.code for measure in PARTNER_MEASURES} == set(MEASURES) - {"project_stage_entries"}
    assert Fact.objects.count() == 0
