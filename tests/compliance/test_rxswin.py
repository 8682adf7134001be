"""RXSWIN per vehicle (issue 14, rule 5; UN R156): a vehicle's recorded software identification number must be
listed by a valid R156 approval of its model, where the model's approvals list RXSWINs. Every branch on fixed dates
(the check's day is injected, never the clock), the reason's words, its reproduction, and the check's queries."""

import datetime

import pytest
from django_tenants.utils import schema_context

from portal.compliance.choices import Verdict
from portal.compliance.models import Certificate
from portal.compliance.reasons import reason_text
from portal.compliance.services.checks import check_reproduce, shipment_check
from portal.compliance.verdict import Code
from portal.reference.models import CertificateType
from portal.vehicles.models import Vehicle
from tenants.choices import Role
from tenants.models import Partner

from ..conftest import client_for
from ..queries import assert_same_queries, query_budget
from ..vehicles.factories import model_make
from .factories import certificate_make, reload, shipment_make, vehicles_make
from .test_cyber import LONG_AGO, TODAY, _car

pytestmark = pytest.mark.django_db

ARRIVAL = datetime.date(2026, 4, 15)
OLD, NEW = "R156-VOLTA-1.0.0", "R156-VOLTA-2.0.0"


@pytest.fixture
def maker(world):
    """Beta, based in Hungary (no export licence or duty rule at stake: only the market requirements)."""
    Partner.objects.filter(pk=world.beta.pk).update(country="HU")
    return world.beta


def _approved(partner, *, rxswins=(), name="Volta M1", **dates):
    """An EU-ready car whose R156 approval (number R156-<name>) lists `rxswins`."""
    model = _car(partner, codes=("un-r155",), name=name)
    values = {"valid_from": LONG_AGO, **dates}
    certificate_make(partner, "un-r156", [model], number=f"R156-{name}", rxswins=rxswins, **values)
    return model


def _vehicles(partner, model, rxswins):
    """One vehicle per entry, with that RXSWIN recorded ("" for none)."""
    vehicles = vehicles_make(partner, model, len(rxswins))
    with schema_context(partner.schema_name):
        for vehicle, rxswin in zip(vehicles, rxswins, strict=True):
            Vehicle.objects.filter(pk=vehicle.pk).update(rxswin=rxswin)
    return vehicles


def _checked(partner, vehicles, *, destination="DE", arrival=ARRIVAL, today=TODAY):
    shipment = shipment_make(
        partner,
        vehicles=vehicles,
        destination=destination,
        consignee_country=destination,
        consignee_name="Volta Import GmbH",
        hs_code="8703.80",
        expected_arrival=arrival,
    )
    with schema_context(partner.schema_name):
        shipment_check(shipment=shipment, today=today)
    return reload(partner, shipment)


def _rxswin_reasons(shipment) -> list[dict]:
    return [reason for reason in shipment.latest_check.reasons if reason["code"] == Code.RXSWIN_NOT_LISTED]


def test_vehicles_without_a_recorded_rxswin_are_not_asked_about(maker):
    car = _approved(maker, rxswins=[NEW])
    shipment = _checked(maker, _vehicles(maker, car, ["", ""]))
    assert _rxswin_reasons(shipment) == [] and shipment.verdict == Verdict.CLEARED, shipment.latest_check.reasons


def test_an_rxswin_the_valid_approval_lists_clears(maker):
    car = _approved(maker, rxswins=[OLD, NEW])
    shipment = _checked(maker, _vehicles(maker, car, [OLD, NEW, ""]))
    assert _rxswin_reasons(shipment) == [] and shipment.verdict == Verdict.CLEARED, shipment.latest_check.reasons


def test_an_rxswin_no_approval_lists_needs_a_review_per_model(maker):
    car = _approved(maker, rxswins=[NEW])
    van = _approved(maker, rxswins=[NEW], name="Volta Van")
    unlisted = _vehicles(maker, car, ["R156-VOLTA-9.9.9", "R156-VOLTA-9.9.9", "R156-VOLTA-0.1", NEW, ""])
    listed = _vehicles(maker, van, [NEW, NEW])
    shipment = _checked(maker, unlisted + listed)
    (reason,) = _rxswin_reasons(shipment)
    assert shipment.verdict == Verdict.NEEDS_REVIEW and reason["severity"] == "review"
    params = reason["params"]
    assert (params["model_id"], params["count"], params["vehicle_count"]) == (car.pk, 3, 5)
    assert params["rxswins"] == ["R156-VOLTA-0.1", "R156-VOLTA-9.9.9"] and params["numbers"] == ["R156-Volta M1"]
    assert params["vins"] == sorted(vehicle.vin for vehicle in unlisted[:3])
    assert reason["key"] == f"rxswin:un-r156:{car.pk}" and params["certificate_type"] == "un-r156"
    text = reason_text(reason)
    assert "3 vehicles of Volta M1" in text and "R156-VOLTA-9.9.9" in text and "R156-Volta M1" in text
    assert unlisted[0].vin in text and "2019/2144" in text and "2026-04-15" in text


def test_one_vehicle_is_worded_in_the_singular(maker):
    car = _approved(maker, rxswins=[NEW])
    (vehicle,) = _vehicles(maker, car, [OLD])
    text = reason_text(_rxswin_reasons(_checked(maker, [vehicle]))[0])
    assert text.startswith("1 vehicle of Volta M1 has an RXSWIN") and f"Vehicle: {vehicle.vin}." in text


def test_a_model_whose_approvals_list_no_rxswins_is_not_checked(maker):
    car = _approved(maker, rxswins=[])
    shipment = _checked(maker, _vehicles(maker, car, [OLD]))
    assert _rxswin_reasons(shipment) == [] and shipment.verdict == Verdict.CLEARED, shipment.latest_check.reasons


def test_another_models_approval_does_not_list_for_this_one(maker):
    car = _approved(maker, rxswins=[NEW])
    _approved(maker, rxswins=[OLD], name="Volta Van")
    (reason,) = _rxswin_reasons(_checked(maker, _vehicles(maker, car, [OLD])))
    assert reason["params"]["model_id"] == car.pk and reason["params"]["rxswins"] == [OLD]


def test_an_rxswin_listed_only_by_an_expired_approval_needs_a_review(maker):
    car = _approved(maker, rxswins=[NEW])
    certificate_make(
        maker,
        "un-r156",
        [car],
        number="R156-OLD",
        valid_from=LONG_AGO,
        valid_to=datetime.date(2025, 6, 30),
        rxswins=[OLD],
    )
    shipment = _checked(maker, _vehicles(maker, car, [OLD, NEW]))
    (reason,) = _rxswin_reasons(shipment)
    assert reason["params"]["rxswins"] == [OLD] and reason["params"]["numbers"] == ["R156-Volta M1"]
    assert shipment.verdict == Verdict.NEEDS_REVIEW


def test_without_a_valid_approval_the_certificate_reason_speaks_alone(maker):
    car = _approved(maker, rxswins=[OLD], valid_to=datetime.date(2026, 1, 31))
    shipment = _checked(maker, _vehicles(maker, car, [NEW]))
    codes = {(reason["code"], reason["params"].get("certificate_type")) for reason in shipment.latest_check.reasons}
    assert (Code.CERTIFICATE_EXPIRED, "un-r156") in codes and _rxswin_reasons(shipment) == []
    assert shipment.verdict == Verdict.BLOCKED


def test_an_approval_valid_only_after_the_arrival_does_not_list(maker):
    car = _approved(maker, rxswins=[OLD])
    certificate_make(maker, "un-r156", [car], number="R156-NEXT", valid_from=datetime.date(2026, 5, 1), rxswins=[NEW])
    (reason,) = _rxswin_reasons(_checked(maker, _vehicles(maker, car, [NEW])))
    assert reason["params"]["numbers"] == ["R156-Volta M1"] and reason["params"]["rxswins"] == [NEW]


def test_the_uk_asks_only_once_its_rule_is_in_force(maker):
    car = _approved(maker, rxswins=[NEW])
    vehicles = _vehicles(maker, car, [OLD])
    before = _checked(maker, vehicles, destination="GB", arrival=datetime.date(2026, 5, 15))
    assert _rxswin_reasons(before) == []
    after = _checked(maker, vehicles, destination="GB", arrival=datetime.date(2026, 7, 1))
    (reason,) = _rxswin_reasons(after)
    assert reason["params"]["market"] == "GB" and reason["severity"] == "review"


def test_a_destination_without_an_r156_rule_is_not_asked(maker):
    car = _approved(maker, rxswins=[NEW])
    shipment = _checked(maker, _vehicles(maker, car, [OLD]), destination="US")
    assert _rxswin_reasons(shipment) == []


def test_a_stored_check_is_reproduced_with_its_rxswin_reason(maker):
    car = _approved(maker, rxswins=[NEW])
    shipment = _checked(maker, _vehicles(maker, car, [OLD, NEW]))
    with schema_context(maker.schema_name):
        check = shipment.latest_check
        again = check_reproduce(check=check)
    assert again.verdict == check.verdict and again.reasons_as_dicts() == check.reasons
    assert _rxswin_reasons(shipment)


def test_the_rxswins_are_read_only_when_an_approval_lists_some_and_in_one_query(maker):
    plain = _approved(maker, rxswins=[], name="Volta Plain")
    listing = _approved(maker, rxswins=[NEW], name="Volta Listed")
    shipments = {
        "plain": shipment_make(maker, vehicles=_vehicles(maker, plain, [OLD, NEW]), destination="DE"),
        "few": shipment_make(maker, vehicles=_vehicles(maker, listing, [OLD, NEW]), destination="DE"),
        "many": shipment_make(maker, vehicles=_vehicles(maker, listing, [OLD, NEW, "", OLD] * 6), destination="DE"),
    }
    counted = {}
    with schema_context(maker.schema_name):
        shipment_check(shipment=shipments["plain"], today=TODAY)  # warm: rule set and screening index
        for name, shipment in shipments.items():
            with query_budget(22) as counted[name]:
                shipment_check(shipment=shipment, today=TODAY)
    vehicle_rxswin = '"vehicles_vehicle"."rxswin" = '  # the vehicles' RXSWINs query (check_vehicle_rxswins)
    assert vehicle_rxswin not in counted["plain"].sql() and vehicle_rxswin in counted["few"].sql()
    assert len(counted["few"]) == len(counted["plain"]) + 1
    assert_same_queries(counted["few"], counted["many"], "a check that reads RXSWINs")


def test_the_shipment_page_words_the_reason(world, maker):
    car = _approved(maker, rxswins=[NEW])
    (vehicle,) = _vehicles(maker, car, [OLD])
    shipment = _checked(maker, [vehicle])
    client = client_for(maker, world.person(maker, Role.VIEWER))
    page = client.get(f"/compliance/shipments/{shipment.pk}/").content.decode()
    assert "RXSWIN not listed: R156-VOLTA-1.0.0" in page and vehicle.vin in page
    reasons = client.get(f"/api/v1/shipments/{shipment.pk}/").json()["check"]["reasons"]
    assert [reason["text"] for reason in reasons if reason["code"] == Code.RXSWIN_NOT_LISTED] == [
        reason_text(_rxswin_reasons(shipment)[0])
    ]


def _certificate_form(model, rxswins: str) -> dict:
    return {
        "certificate_type": CertificateType.objects.get(code="un-r156").pk,
        "number": "E11-156R-7",
        "issuing_body": "VCA",
        "vehicle_models": [model.pk],
        "valid_from": "2025-01-01",
        "rxswins": rxswins,
    }


def test_the_certificate_form_and_api_take_the_list_and_refuse_a_bad_rxswin(world, maker):
    model = model_make(maker, name="Volta Form", category="M1", hs_code="8703.80")
    client = client_for(maker, world.person(maker, Role.MEMBER))
    refused = client.post("/compliance/certificates/new/", _certificate_form(model, f"{NEW}\nR156-\u202e1"))
    assert refused.status_code == 200 and "printable characters only" in refused.content.decode()
    saved = client.post("/compliance/certificates/new/", _certificate_form(model, f"{OLD}; {NEW}\n{OLD}"))
    assert saved.status_code == 302
    with schema_context(maker.schema_name):
        certificate = Certificate.objects.get(number="E11-156R-7")
        assert certificate.rxswins == [OLD, NEW] and Certificate.objects.count() == 1
    page = client.get(f"/compliance/certificates/{certificate.pk}/").content.decode()
    assert OLD in page and NEW in page
    assert f"{OLD}; {NEW}" in client.get(f"/compliance/certificates/{certificate.pk}/edit/").content.decode()
    url = f"/api/v1/certificates/{certificate.pk}/"
    assert client.get(url).json()["rxswins"] == [OLD, NEW]
    changed = client.patch(url, {"rxswins": ["R156-VOLTA-3.0.0"]}, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["rxswins"] == ["R156-VOLTA-3.0.0"]
    bad = client.patch(url, {"rxswins": ["ok", "not;ok"]}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["attr"].startswith("rxswins")
    with schema_context(maker.schema_name):
        assert Certificate.objects.get(pk=certificate.pk).rxswins == ["R156-VOLTA-3.0.0"]
    # Another partner reads and changes nothing of it.
    other = client_for(world.alpha, world.person(world.alpha, Role.OWNER))
    assert other.get(url).status_code == 404
    assert other.patch(url, {"rxswins": []}, content_type="application/json").status_code == 404
    with schema_context(maker.schema_name):
        assert Certificate.objects.get(pk=certificate.pk).rxswins == ["R156-VOLTA-3.0.0"]
