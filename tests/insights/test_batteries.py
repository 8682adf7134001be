"""Battery statistics (issue 15): batteries by category, chemistry, carbon-footprint class and recycled share,
through the statistics pipeline and its disclosure control, against figures worked out by hand."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from portal.batteries import demo as batteries_demo
from portal.batteries.models import Battery
from portal.batteries.services import battery_delete, battery_model_update, battery_update
from portal.insights.choices import CellStatus, RunKind
from portal.insights.models import Cell
from portal.insights.pipeline import run_inline
from tenants.choices import Role

from ..conftest import client_for
from ..factories import MembershipFactory
from ..queries import assert_same_queries, query_budget
from .factories import at, battery_model_row, battery_row, dirty, dirty_clear, facts, month, partner_make

pytestmark = pytest.mark.django_db

JAN, MAR = month(2026, 1), month(2026, 3)
SHOWN, PRIMARY, SECONDARY = CellStatus.SHOWN, CellStatus.PRIMARY, CellStatus.SECONDARY
CLASS = "carbon_footprint_performance_class"


def _n(count: int, partner, model, **own) -> list[Battery]:
    return [battery_row(partner, model, at(MAR + datetime.timedelta(days=day)), **own) for day in range(count)]


@pytest.fixture
def fleet(world):
    """Three partners' batteries registered in March 2026 (the figures below are worked out from these rows):

    | partner | model | category   | chemistry | class        | cobalt pre / post | lithium pre | batteries |
    |---------|-------|------------|-----------|--------------|-------------------|-------------|-----------|
    | alpha   | A1    | LMT        | NMC       | B (one: A)   | 4 % / 2 → 6       | 3           | 4         |
    | alpha   | A2    | industrial | LFP       | —            | —                 | —           | 1         |
    | beta    | B1    | LMT        | LFP       | b            | 0                 | —           | 3         |
    | beta    | B2    | EV         | NMC       | —            | 4,5 / 0.5 % → 5   | —           | 1         |
    | gamma   | G1    | LMT        | NMC       | Class B      | 7                 | —           | 3         |
    | gamma   | G2    | industrial | LFP       | pending      | — / 150 → none    | —           | 1         |
    """
    gamma = partner_make("gamma", name="Gamma Cells", kind="battery_maker")
    alpha, beta = world.alpha, world.beta
    a1 = battery_model_row(
        alpha,
        "LMT",
        "NMC",
        **{
            CLASS: "B",
            "pre_consumer_recycled_cobalt_share": "4 %",
            "post_consumer_recycled_cobalt_share": "2",
            "pre_consumer_recycled_lithium_share": "3",
        },
    )
    rows = {
        "alpha": [*_n(3, alpha, a1), *_n(1, alpha, a1, **{CLASS: "A"})],  # its own value wins over the model's
        "alpha-industrial": _n(1, alpha, battery_model_row(alpha, "industrial", "LFP")),
        "beta-lmt": _n(
            3, beta, battery_model_row(beta, "LMT", "LFP", **{CLASS: "b", "pre_consumer_recycled_cobalt_share": "0"})
        ),
        "beta-ev": _n(
            1,
            beta,
            battery_model_row(
                beta,
                "EV",
                "NMC",
                pre_consumer_recycled_cobalt_share="4,5",
                post_consumer_recycled_cobalt_share="0.5 %",
            ),
        ),
        "gamma": _n(
            3,
            gamma,
            battery_model_row(gamma, "LMT", "NMC", **{CLASS: "Class B"}, pre_consumer_recycled_cobalt_share="7"),
        ),
        "gamma-industrial": _n(
            1,
            gamma,
            battery_model_row(
                gamma, "industrial", "LFP", **{CLASS: "pending"}, post_consumer_recycled_cobalt_share="150"
            ),
        ),
    }
    run_inline(kind=RunKind.FULL)
    return {"alpha": alpha, "beta": beta, "gamma": gamma, "rows": rows, "staff": world.staff}


def _viewer(partner):
    """A client of one of the partner's viewers, on its host."""
    return client_for(partner, MembershipFactory(partner=partner, role=Role.VIEWER).user)


def _cells(measure: str, breakdown: str, period=MAR) -> dict:
    """key → (value, status) of the stored cells (every value: what staff see)."""
    rows = Cell.objects.filter(measure=measure, breakdown=breakdown, period=period)
    return {cell.key: (cell.value, cell.status) for cell in rows}


def test_the_facts_are_each_partners_batteries_counted_by_hand(fleet):
    alpha, beta, gamma = (fleet[slug].pk for slug in ("alpha", "beta", "gamma"))
    stored = {key: value for key, value in facts().items() if key[0].startswith("batter")}
    expected = {
        ("batteries", MAR, "LMT", "NMC", alpha): 4,
        ("batteries", MAR, "industrial", "LFP", alpha): 1,
        ("batteries", MAR, "LMT", "LFP", beta): 3,
        ("batteries", MAR, "EV", "NMC", beta): 1,
        ("batteries", MAR, "LMT", "NMC", gamma): 3,
        ("batteries", MAR, "industrial", "LFP", gamma): 1,
        ("battery_carbon_class", MAR, "B", "", alpha): 3,
        ("battery_carbon_class", MAR, "A", "", alpha): 1,
        ("battery_carbon_class", MAR, "none", "", alpha): 1,
        ("battery_carbon_class", MAR, "B", "", beta): 3,
        ("battery_carbon_class", MAR, "none", "", beta): 1,
        ("battery_carbon_class", MAR, "B", "", gamma): 3,
        ("battery_carbon_class", MAR, "other", "", gamma): 1,
        ("battery_recycled_cobalt", MAR, "5-10", "", alpha): 4,
        ("battery_recycled_cobalt", MAR, "none", "", alpha): 1,
        ("battery_recycled_cobalt", MAR, "0", "", beta): 3,
        ("battery_recycled_cobalt", MAR, "5-10", "", beta): 1,
        ("battery_recycled_cobalt", MAR, "5-10", "", gamma): 3,
        ("battery_recycled_cobalt", MAR, "none", "", gamma): 1,
        ("battery_recycled_lithium", MAR, "0-5", "", alpha): 4,
        ("battery_recycled_lithium", MAR, "none", "", alpha): 1,
        ("battery_recycled_lithium", MAR, "none", "", beta): 4,
        ("battery_recycled_lithium", MAR, "none", "", gamma): 4,
        **{
            (f"battery_recycled_{m}", MAR, "none", "", p): n
            for m in ("nickel", "lead")
            for p, n in ((alpha, 5), (beta, 4), (gamma, 4))
        },
    }
    assert stored == expected


def test_the_cells_add_up_and_are_disclosed_like_every_other_cell(fleet):
    assert _cells("batteries", "total") == {"": (Decimal(13), SHOWN)}
    # LMT has three makers; EV (beta alone) and industrial (two makers) are suppressed, and their sum (three makers,
    # none dominant) may be read off the total, so nothing more is hidden.
    assert _cells("batteries", "battery_category") == {
        "LMT": (Decimal(10), SHOWN),
        "EV": (Decimal(1), PRIMARY),
        "industrial": (Decimal(2), PRIMARY),
    }
    assert _cells("batteries", "chemistry") == {"NMC": (Decimal(8), SHOWN), "LFP": (Decimal(5), SHOWN)}
    assert _cells("battery_carbon_class", "carbon_class") == {
        "B": (Decimal(9), SHOWN),
        "A": (Decimal(1), PRIMARY),
        "none": (Decimal(2), PRIMARY),
        "other": (Decimal(1), PRIMARY),
    }
    assert _cells("battery_recycled_cobalt", "recycled_share") == {
        "5-10": (Decimal(8), SHOWN),
        "0": (Decimal(3), PRIMARY),
        "none": (Decimal(2), PRIMARY),
    }
    # Lithium: only alpha declares a share, so "0-5" is alpha's alone; "not declared" then hides too, or the
    # battery total minus it would give alpha's figure (secondary suppression).
    assert _cells("battery_recycled_lithium", "recycled_share") == {
        "0-5": (Decimal(4), PRIMARY),
        "none": (Decimal(9), SECONDARY),
    }
    top = Cell.objects.get(measure="batteries", breakdown="battery_category", period=MAR, key="LMT")
    assert (top.contributors, top.top_share) == (3, 0.4)


def test_a_cell_of_too_few_partners_is_suppressed_for_partners_in_the_api(fleet):
    """Beta's EV batteries: beta sees its own figure, alpha and gamma a suppressed cell with no value; staff all."""
    url = "/api/v1/statistics/cells/?measure=batteries&breakdown=battery_category&first=2026-03&last=2026-03"
    seen = {}
    for slug in ("alpha", "beta", "gamma"):
        response = _viewer(fleet[slug]).get(url)
        assert response.status_code == 200, slug
        seen[slug] = {row["key"]: row for row in response.json()["results"]}
    assert all(seen[slug]["EV"]["value"] is None and seen[slug]["EV"]["suppressed"] for slug in seen)
    assert [seen[slug]["EV"]["own_value"] for slug in ("alpha", "beta", "gamma")] == [None, "1.00", None]
    assert [seen[slug]["industrial"]["own_value"] for slug in ("alpha", "beta", "gamma")] == ["1.00", None, "1.00"]
    assert seen["alpha"]["LMT"]["value"] == "10.00" and seen["alpha"]["LMT"]["own_value"] == "4.00"
    staff = client_for(None, fleet["staff"]).get(url).json()["results"]
    assert {row["key"]: (row["value"], row["contributors"]) for row in staff}["EV"] == ("1.00", 1)


def _figures(html: str) -> dict[str, list[str]]:
    """The page's figures table: the label of each row → the text of its alliance and own cells."""
    table = html.split('data-testid="figures"')[1].split("</table>")[0]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S):
        cells = [re.sub(r"<[^>]+>", " ", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        if cells:
            rows[cells[1]] = cells[2:]
    return rows


def test_the_page_shows_the_new_cells_and_no_other_partners_figure_or_battery(fleet):
    client = _viewer(fleet["alpha"])
    page = client.get("/statistics/?measure=batteries&breakdown=battery_category&first=2026-03&last=2026-03")
    assert page.status_code == 200
    html = page.content.decode()
    rows = _figures(html)
    assert rows["Light means of transport battery"] == ["10", "4"]
    assert rows["Electric vehicle battery"][0] == "suppressed" and rows["Electric vehicle battery"][1] == "—"
    assert rows["Industrial battery over 2 kWh"] == ["suppressed", "1"]  # its own figure, never the alliance's 2
    # No battery of any partner reaches the statistics pages or the API: they read cells and facts only.
    identifiers = [battery.identifier for rows in fleet["rows"].values() for battery in rows]
    for path in (
        "/statistics/?measure=battery_carbon_class&first=2026-03&last=2026-03",
        "/statistics/?measure=battery_recycled_cobalt&first=2026-03&last=2026-03",
        "/statistics/export.csv?measure=batteries&breakdown=chemistry&first=2026-03&last=2026-03",
        "/api/v1/statistics/cells/?measure=battery_recycled_lithium&first=2026-03&last=2026-03",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        text = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
        assert not any(identifier in text for identifier in identifiers), path
    lithium = client.get("/api/v1/statistics/cells/?measure=battery_recycled_lithium&first=2026-03&last=2026-03")
    assert {row["key"]: row["value"] for row in lithium.json()["results"]} == {"0-5": None, "none": None}
    carbon = _figures(
        client.get("/statistics/?measure=battery_carbon_class&first=2026-03&last=2026-03").content.decode()
    )
    assert {label: cells[0] for label, cells in carbon.items()} == {
        "Class B": "9",
        "Class A": "suppressed",
        "Not declared": "suppressed",
        "Other declaration": "suppressed",
    }


def test_the_page_is_translated(fleet):
    client = _viewer(fleet["alpha"])
    for language, word in (("zh-hans", "电池"), ("ar", "بطاري"), ("th", "แบตเตอรี่")):
        html = client.get(
            "/statistics/?measure=battery_recycled_cobalt&first=2026-03&last=2026-03", HTTP_ACCEPT_LANGUAGE=language
        ).content.decode()
        heading = html.split('id="chart-heading"')[1].split("</h2>")[0]
        assert word in heading, language


def test_quarters_of_battery_cells_follow_the_same_rules(fleet):
    """Q1 2026 holds March only: the same figures and statuses, computed on read from the facts."""
    url = "/api/v1/statistics/cells/?measure=battery_recycled_cobalt&grain=quarter&first=2026-01&last=2026-03"
    rows = _viewer(fleet["gamma"]).get(url).json()["results"]
    assert {(row["period"], row["key"]): (row["value"], row["suppressed"]) for row in rows} == {
        ("2026-01-01", "5-10"): ("8.00", False),
        ("2026-01-01", "0"): (None, True),
        ("2026-01-01", "none"): (None, True),
    }


def test_an_incremental_run_follows_a_model_and_a_battery_change_and_a_deletion(fleet):
    beta, gamma = fleet["beta"], fleet["gamma"]
    ev = fleet["rows"]["beta-ev"][0]
    with schema_context(beta.schema_name):
        battery_model_update(battery_model=ev.battery_model, partner=beta, values_merge={CLASS: "B"})
    with schema_context(gamma.schema_name):
        battery = fleet["rows"]["gamma"][0]
        battery_update(battery=battery, partner=gamma, values_merge={CLASS: "A"})
        battery_delete(battery=fleet["rows"]["gamma-industrial"][0], partner=gamma)
    assert {(schema, source) for schema, source, _m in dirty()} == {("beta", "batteries"), ("gamma", "batteries")}

    run = run_inline()

    assert run.kind == RunKind.INCREMENTAL and run.months == [MAR.isoformat()]
    assert run.partners_total == 2  # alpha changed nothing: its facts are not recomputed
    classes = {key[2:]: value for key, value in facts(measure="battery_carbon_class").items()}
    assert classes[("B", "", beta.pk)] == 4 and ("none", "", beta.pk) not in classes
    assert classes[("B", "", gamma.pk)] == 2 and classes[("A", "", gamma.pk)] == 1
    assert ("other", "", gamma.pk) not in classes  # the deleted battery
    assert _cells("batteries", "total") == {"": (Decimal(12), SHOWN)}
    # Class A (alpha's and now gamma's) and "not declared" (alpha's) are suppressed, and their sum comes from two
    # partners only: class B is hidden too now, though it has three contributors.
    assert _cells("battery_carbon_class", "carbon_class") == {
        "B": (Decimal(9), SECONDARY),
        "A": (Decimal(2), PRIMARY),
        "none": (Decimal(1), PRIMARY),
    }
    assert dirty() == set()


def test_capture_marks_the_month_a_battery_was_registered_and_a_models_batteries(fleet):
    alpha = fleet["alpha"]
    model = battery_model_row(alpha, "EV", "NMC")
    dirty_clear()
    battery_row(alpha, model, at(JAN))  # created now, then moved to January: both months are marked
    assert (alpha.schema_name, "batteries", JAN) in dirty()
    dirty_clear()
    with schema_context(alpha.schema_name):
        model.values = {CLASS: "C"}
        model.save()
    assert dirty() == {(alpha.schema_name, "batteries", JAN)}
    dirty_clear()
    # A write in alpha never marks another partner.
    assert dirty("beta") == set() and dirty("gamma") == set()


def test_the_battery_page_keeps_its_query_budget_whatever_the_number_of_cells(fleet):
    client = _viewer(fleet["alpha"])
    query = "/statistics/?measure=batteries&breakdown=chemistry&first=2025-01&last=2026-06"
    client.get(query)  # warm the session and the caches
    with query_budget(40) as few:
        client.get(query)
    Cell.objects.bulk_create(
        Cell(
            measure="batteries",
            breakdown="chemistry",
            period=month(2025, m),
            key=f"K{k}",
            value=Decimal(k),
            contributors=3,
            top_share=0.5,
            status=SHOWN,
        )
        for m in range(1, 13)
        for k in range(30)
    )
    with query_budget(40) as many:
        response = client.get(query)
    assert response.status_code == 200
    assert_same_queries(few, many, "the battery statistics page")


def test_the_demo_batteries_disclose_some_cells_and_suppress_others(world):
    """The battery demo's five makers (on test partners): LMT packs and both chemistries have three makers or more
    and show; EV packs are Yangtze Cells' alone (primary), and the industrial cell hides with them (secondary)."""
    slugs = ["cq-thunder", "yangtze-cells", "cq-lingyun", "siam-ebike", "wuxi-swiftride"]
    partners = {"cq-thunder": world.alpha, "yangtze-cells": world.beta}
    for slug, name in zip(slugs[2:], ("gamma", "delta", "epsilon"), strict=True):
        partners[slug] = partner_make(name, kind="e_bike_maker")
    batteries_demo.seed(partners=partners, stdout=io.StringIO())
    run_inline(kind=RunKind.FULL)
    [period] = Cell.objects.filter(measure="batteries").order_by().values_list("period", flat=True).distinct()
    categories = _cells("batteries", "battery_category", period)
    assert {key: status for key, (_value, status) in categories.items()} == {
        "LMT": SHOWN,
        "EV": PRIMARY,
        "industrial": SECONDARY,
    }
    assert {status for _value, status in _cells("batteries", "chemistry", period).values()} == {SHOWN}
    assert _cells("batteries", "total", period)[""] == (
        Decimal(sum(spec[6] for s in slugs for spec in batteries_demo.MODELS[s])),
        SHOWN,
    )
    shown = Cell.objects.filter(measure__startswith="battery_", status=SHOWN, period=period)
    assert {"battery_carbon_class", "battery_recycled_cobalt"} <= set(shown.values_list("measure", flat=True))
