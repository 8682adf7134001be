"""The public passport page and its JSON-LD: what each access group sees, schema validity, 404, caching, budget."""

import copy
import json

import jsonschema
import pytest
from django.db import connection

from portal.batteries import jsonld
from portal.batteries.access import may_read
from portal.batteries.choices import Aspect, Reader
from portal.batteries.passport import attribute_list_forget
from portal.batteries.registry.models import PassportAttribute
from tests.conftest import client_for
from tests.queries import RealQueries, assert_same_queries

from .passport_data import REAL_VALUES, marked_values, passport_battery

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_attribute_list():
    attribute_list_forget()
    yield
    attribute_list_forget()


def _url(battery, query: str = "") -> str:
    return f"/passport/{battery.identifier}/{query}"


def _relaxed(schema: dict) -> dict:
    """The aspect's schema with every `required` dropped: a view restricted to one access group leaves the
    withheld properties out, and everything it does say must still have the schema's types and patterns."""
    relaxed = copy.deepcopy(schema)

    def strip(node):
        if isinstance(node, dict):
            node.pop("required", None)
            for value in node.values():
                strip(value)
        elif isinstance(node, list):
            for value in node:
                strip(value)

    strip(relaxed)
    return relaxed


def _validate(aspect: str, payload: dict, *, strict: bool = False) -> None:
    schema = jsonld.aspect_schema(aspect)
    body = {key: value for key, value in payload.items() if key != "@context"}
    validator = jsonschema.Draft4Validator(
        schema if strict else _relaxed(schema), format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )
    errors = sorted(validator.iter_errors(body), key=lambda error: list(error.path))
    assert not errors, f"{aspect}: " + "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def test_anonymous_page_shows_public_attributes_only(world):
    battery = passport_battery(world.beta, values=marked_values())
    response = client_for(None).get(_url(battery))
    assert response.status_code == 200
    body = response.content.decode()
    assert battery.identifier in body
    assert "marker-010-q7" in body  # battery mass: public
    assert "Light means of transport battery" in body  # the category by its label, not its code
    assert "marker-033-q7" not in body  # materials in cathode, anode, electrolyte: legitimate interest
    assert "marker-018-q7" not in body  # results of test reports: authorities
    assert "marker-093-q7" not in body  # information on accidents (a reading): legitimate interest
    assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
    assert "Accept" in response["Vary"]
    assert 'rel="alternate"' in response["Link"]


@pytest.mark.parametrize("language", ["en", "zh-hans", "ar", "th"])
def test_page_in_every_language(world, language):
    battery = passport_battery(world.beta, values=marked_values(), reading=False)
    response = client_for(None).get(_url(battery), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert f'lang="{language}"' in response.content.decode()


def test_every_public_attribute_of_the_category_is_on_the_page_and_no_other(world):
    values = marked_values()
    battery = passport_battery(world.beta, values=values)
    body = client_for(None).get(_url(battery)).content.decode()
    for attribute in PassportAttribute.objects.all():
        if battery.category not in attribute.categories or attribute.code in {
            "battery_passport_identifier",
            "battery_identifier",
            "battery_category",
            "battery_status",
            "battery_chemistry",
        }:
            continue  # columns of the battery (identifier, category …), not markers
        shown = values[attribute.number] in body
        assert shown == may_read(Reader.PUBLIC, attribute), (attribute.number, attribute.access, shown)


@pytest.mark.parametrize(
    "how",
    [{"HTTP_ACCEPT": "application/ld+json"}, {"HTTP_ACCEPT": "application/json"}, {"query": "?format=jsonld"}],
)
def test_json_ld_by_content_negotiation(world, how):
    battery = passport_battery(world.beta, values=REAL_VALUES)
    query = how.pop("query", "")
    response = client_for(None).get(_url(battery, query), **how)
    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] in ("application/ld+json", "application/json")
    document = response.json()
    assert document["@id"].endswith(f"/passport/{battery.identifier}/")
    assert document["accessGroup"] == "public"
    assert document["identifier"] == battery.identifier


def test_browser_accept_header_gets_html(world):
    battery = passport_battery(world.beta, values=REAL_VALUES, reading=False)
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client_for(None).get(_url(battery), HTTP_ACCEPT=accept)
    assert response["Content-Type"].startswith("text/html")


def test_public_json_validates_against_the_shipped_schemas_and_withholds_the_rest(world):
    battery = passport_battery(world.beta, values=REAL_VALUES)
    document = client_for(None).get(_url(battery, "?format=jsonld")).json()
    aspects = document["aspects"]
    assert set(aspects) >= {
        Aspect.GENERAL,
        Aspect.LABELS,
        Aspect.CARBON_FOOTPRINT,
        Aspect.DUE_DILIGENCE,
        Aspect.MATERIAL_COMPOSITION,
        Aspect.CIRCULARITY,
        Aspect.PERFORMANCE,
    }
    for aspect, payload in aspects.items():
        assert payload["@context"]["@vocab"].startswith("urn:samm:io.BatteryPass.")
        _validate(aspect, payload)
    # withheld: test reports (authority), battery condition and materials (legitimate interest)
    assert "resultOfTestReport" not in aspects[Aspect.LABELS]
    assert "batteryCondition" not in aspects[Aspect.PERFORMANCE] or set(
        aspects[Aspect.PERFORMANCE]["batteryCondition"]
    ) <= {"roundTripEfficiencyat50PerCentCycleLife"}
    names = [item["batteryMaterialName"] for item in aspects[Aspect.MATERIAL_COMPOSITION]["batteryMaterials"]]
    assert names == ["Cobalt"]  # critical raw materials are public, the electrode materials are not
    assert "putting" not in json.dumps(aspects[Aspect.GENERAL]).lower()


def test_complete_general_and_footprint_aspects_validate_strictly(world):
    """What the schemas require, for an authority reader who sees every attribute."""
    values = {**REAL_VALUES, 1: "urn:alliance:pp0100000001", 2: "PP01-1", 9: "lmt", 11: "Original"}
    payloads = jsonld.aspect_payloads(values, updated={})
    for aspect in (Aspect.GENERAL, Aspect.LABELS, Aspect.CARBON_FOOTPRINT, Aspect.DUE_DILIGENCE):
        _validate(aspect, payloads[aspect], strict=True)
    _validate(
        Aspect.MATERIAL_COMPOSITION,
        {
            **payloads[Aspect.MATERIAL_COMPOSITION],
            "batteryChemistry": {"shortName": "NMC", "clearName": "Lithium nickel manganese cobalt oxide"},
        },
        strict=True,
    )


def test_unknown_identifier_is_a_404_page_and_json(world):
    response = client_for(None).get("/passport/NO-SUCH-BATTERY/")
    assert response.status_code == 404
    assert "Battery passport not found" in response.content.decode()
    response = client_for(None).get("/passport/NO-SUCH-BATTERY/", HTTP_ACCEPT="application/ld+json")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"


def test_identifier_is_matched_case_insensitively(world):
    battery = passport_battery(world.beta, values=REAL_VALUES, reading=False)
    response = client_for(None).get(f"/passport/{battery.identifier.lower()}/")
    assert response.status_code == 200


def test_deactivated_partner_passport_is_not_found(world):
    battery = passport_battery(world.beta, values=REAL_VALUES, reading=False)
    world.beta.is_active = False
    world.beta.save(update_fields=["is_active"])
    try:
        assert client_for(None).get(_url(battery)).status_code == 404
    finally:
        world.beta.is_active = True
        world.beta.save(update_fields=["is_active"])


def test_public_page_query_budget_does_not_grow_with_batteries(world):
    first = passport_battery(world.beta, values=REAL_VALUES)
    client = client_for(None)
    client.get(_url(first))  # warm the attribute list
    with RealQueries(connection) as few:
        assert client.get(_url(first)).status_code == 200
    for _ in range(5):
        passport_battery(world.beta, values=REAL_VALUES)
    with RealQueries(connection) as many:
        assert client.get(_url(first)).status_code == 200
    assert_same_queries(few, many, "public passport page")
    # the host's domain (tenant middleware), the index entry with its partner, the battery with its model
    assert len(few) <= 3, few.sql()
    with RealQueries(connection) as as_json:
        assert client.get(_url(first, "?format=jsonld")).status_code == 200
    assert len(as_json) <= 3, as_json.sql()
