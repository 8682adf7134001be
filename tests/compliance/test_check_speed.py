"""What keeps a check fast keeps it right: the screening prefilter loses no hit, remembered screenings equal fresh
ones, the rule set kept in memory follows every change, and a check's queries do not grow with its vehicles."""

import datetime
import random

import pytest
from django_tenants.utils import schema_context
from rapidfuzz import fuzz, process

from portal.compliance.screening import KeyBags, index_from_parties, index_get
from portal.compliance.selectors import check_vehicle_rows
from portal.compliance.services.checks import shipment_check
from portal.reference.models import Embargo
from portal.reference.selectors import rule_set_current
from portal.reference.versions import reference_versions
from portal.vehicles.models import Vehicle, VehicleStatusChange

from ..queries import assert_same_queries, query_budget
from .factories import days, eu_l3e_model, party_make, shipment_make, vehicles_make

WORDS = [
    "golden",
    "dragon",
    "star",
    "eagle",
    "pacific",
    "global",
    "united",
    "royal",
    "crown",
    "phoenix",
    "silk",
    "road",
    "trade",
    "trading",
    "motor",
    "motors",
]
WORDS += [
    "energy",
    "power",
    "battery",
    "electric",
    "vehicle",
    "vehicles",
    "parts",
    "supply",
    "group",
    "nova",
    "orion",
    "atlas",
    "2",
    "3",
    "müller",
    "金龙",
]


def _key(rng: random.Random) -> str:
    return "".join(rng.sample(WORDS, rng.randint(1, 4)))


@pytest.mark.parametrize("cutoff", [0.0, 50.0, 70.0, 85.0, 95.0, 100.0])
def test_the_letter_count_prefilter_keeps_every_key_that_reaches_the_cutoff(cutoff):
    rng = random.Random(int(cutoff) + 14)
    keys = [_key(rng) for _ in range(3000)] + [""]
    bags = KeyBags(keys)
    for _ in range(60):
        query = _key(rng)
        if rng.random() < 0.5:  # a near miss: one letter changed, dropped or added
            at = rng.randrange(len(query))
            query = query[:at] + rng.choice(["", "x", "e", query[at : at + 2]]) + query[at + 1 :]
        full = {at for _k, _s, at in process.extract(query, keys, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None)}
        candidates = set(bags.candidates(query, cutoff).tolist())
        assert full <= candidates, (query, cutoff, sorted(full - candidates))


@pytest.mark.django_db
def test_a_remembered_screening_equals_a_fresh_scan():
    parties = [
        party_make("Kestrel Star Trading FZE", country="AE"),
        party_make("Golden Dragon Motors Co., Ltd.", aliases=["金龙汽车有限公司"], country="CN"),
        party_make("Al Noor Vehicles Trading", country="AE"),
    ]
    index = index_from_parties(parties, version=1)
    for name, country in [
        ("Kestrel Stars Trading Co.", "AE"),
        ("Kestrel Stars Trading Co.", "HU"),
        ("重庆金龙汽车有限公司", ""),
        ("El Nour Vehicle Trading Est.", "AE"),
        ("Danube EV Export Services Kft.", "HU"),
    ]:
        for review_score in (None, 70, 97):
            fresh = index.scan(name, country=country, review_score=review_score)
            assert index.screen(name, country=country, review_score=review_score) == fresh
            assert index.screen(name, country=country, review_score=review_score) == fresh  # from memory
    hits = index.screen("Kestrel Stars Trading Co.", country="HU")
    assert hits and not hits[0].country_agrees
    hits.clear()  # a caller's list is its own: the remembered hits stay
    assert index.screen("Kestrel Stars Trading Co.", country="HU")


@pytest.mark.django_db
def test_a_new_entry_is_found_at_the_next_list_version():
    before = index_get(version=reference_versions()["screening"])
    assert before.screen("Harbor Crest Logistics") == []
    party_make("Harbor Crest Logistics")
    after = index_get(version=reference_versions()["screening"])
    assert [hit.entry.name for hit in after.screen("Harbor Crest Logistics")] == ["Harbor Crest Logistics"]


@pytest.mark.django_db
def test_the_rule_set_in_memory_follows_every_change():
    first = rule_set_current()
    assert rule_set_current().embargoes == first.embargoes  # unchanged tables: the same rows, not read again
    embargo = Embargo.objects.create(
        country="KP", severity="full", effective_from=datetime.date(2020, 1, 1), source_reference="test"
    )
    assert embargo.pk in {row.pk for row in rule_set_current().embargoes}
    embargo.effective_until = datetime.date(2021, 1, 1)
    embargo.save()
    (kept,) = [row for row in rule_set_current().embargoes if row.pk == embargo.pk]
    assert kept.effective_until == datetime.date(2021, 1, 1)
    embargo.delete()
    assert embargo.pk not in {row.pk for row in rule_set_current().embargoes}
    # The screening list's version moves on its own: the rule set carries this moment's versions.
    party_make("Versions Moving Trading")
    assert rule_set_current().versions == reference_versions()


@pytest.mark.django_db
def test_a_check_runs_the_same_queries_for_few_and_many_vehicles(world):
    model = eu_l3e_model(world.alpha, hs_code="8711.60")
    other = eu_l3e_model(world.alpha, hs_code="8711.60", battery_kwh="4.32")
    few = shipment_make(world.alpha, vehicles=vehicles_make(world.alpha, model, 2))
    many = shipment_make(
        world.alpha,
        vehicles=vehicles_make(world.alpha, model, 25) + vehicles_make(world.alpha, other, 25),
        consignee_name="Danube Second Importer Kft.",
        expected_arrival=days(40),
    )
    with schema_context(world.alpha.schema_name):
        shipment_check(shipment=few)  # warm: the rule set and the screening index are read once per version
        with query_budget(20) as few_queries:
            shipment_check(shipment=few)
        with query_budget(20) as many_queries:
            check = shipment_check(shipment=many)
    assert_same_queries(few_queries, many_queries, "a shipment check")
    assert check.vehicle_count == 50 and check.verdict == "cleared", check.reasons


@pytest.mark.django_db
def test_the_vehicle_rows_carry_status_history_and_registration(world):
    model = eu_l3e_model(world.alpha)
    vehicles = vehicles_make(world.alpha, model, 3)
    shipment = shipment_make(world.alpha, vehicles=vehicles)
    registered = datetime.date(2026, 3, 1)
    with schema_context(world.alpha.schema_name):
        # Exported once and brought back (its status is no longer "exported", its history says it was).
        VehicleStatusChange.objects.create(vehicle_id=vehicles[0].pk, from_status="produced", to_status="exported")
        VehicleStatusChange.objects.create(vehicle_id=vehicles[0].pk, from_status="exported", to_status="produced")
        Vehicle.objects.filter(pk=vehicles[1].pk).update(registration_date=registered)
        rows = {row.id: row for row in check_vehicle_rows(shipment=shipment)}
    assert set(rows) == {vehicle.pk for vehicle in vehicles}
    first, second, third = (rows[vehicle.pk] for vehicle in vehicles)
    assert (first.vin, first.status, first.model_id) == (vehicles[0].vin, "produced", model.pk)
    assert (first.ever_exported, first.registration_date) == (True, None)
    assert (second.ever_exported, second.registration_date) == (False, registered)
    assert (third.ever_exported, third.registration_date) == (False, None)
