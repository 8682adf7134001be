"""Registration, status transitions, history and bulk registration (services)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context

from portal.vehicles.choices import ChangeSource, VehicleStatus
from portal.vehicles.models import Vehicle, VehicleModel, VehicleStatusChange
from portal.vehicles.services import (
    BULK_LIMIT,
    TRANSITIONS,
    BulkValidationError,
    manual_transitions,
    vehicle_bulk_register,
    vehicle_model_update,
    vehicle_register,
    vehicle_status_change,
    vehicles_export,
)
from tenants.choices import Role

from .factories import WMI, model_make, vehicle_make, vin_for, wmi_ensure

pytestmark = pytest.mark.django_db

S = VehicleStatus
ALLOWED = {
    (S.PRODUCED, S.REGISTERED),
    (S.PRODUCED, S.EXPORTED),
    (S.REGISTERED, S.EXPORTED),
    (S.REGISTERED, S.DEREGISTERED),
    (S.EXPORTED, S.REGISTERED),
    (S.EXPORTED, S.DEREGISTERED),
}
REGISTRATION = {"registration_country": "HU", "registration_date": datetime.date(2024, 6, 1)}


def _to(vehicle, status, **extra):
    if status == S.EXPORTED:  # the shipment's way, the only one
        vehicles_export(vehicle_ids=[vehicle.pk], source=ChangeSource.ADMIN, note=extra.get("note", ""))
        return Vehicle.objects.get(pk=vehicle.pk)
    kwargs = {**REGISTRATION, **extra} if status == S.REGISTERED else extra
    return vehicle_status_change(vehicle=vehicle, to_status=status, source=ChangeSource.ADMIN, **kwargs)


PATHS = {
    S.PRODUCED: [],
    S.REGISTERED: [S.REGISTERED],
    S.EXPORTED: [S.EXPORTED],
    S.DEREGISTERED: [S.REGISTERED, S.DEREGISTERED],
}


def test_transition_table_is_the_documented_one():
    assert {(a, b) for a, targets in TRANSITIONS.items() for b in targets} == ALLOWED


@pytest.mark.parametrize("start", list(S))
@pytest.mark.parametrize("target", list(S))
def test_every_transition(world, start, target):
    vehicle = vehicle_make(world.alpha)
    with schema_context("alpha"):
        for step in PATHS[start]:
            vehicle = _to(vehicle, step)
        before = VehicleStatusChange.objects.filter(vehicle=vehicle).count()
        if (start, target) in ALLOWED:
            vehicle = _to(vehicle, target, note="step")
            assert Vehicle.objects.get(pk=vehicle.pk).status == target
            last = VehicleStatusChange.objects.filter(vehicle=vehicle).last()
            assert (last.from_status, last.to_status, last.note) == (start, target, "step")
            assert VehicleStatusChange.objects.filter(vehicle=vehicle).count() == before + 1
        else:
            with pytest.raises(ValidationError):
                _to(vehicle, target)
            assert Vehicle.objects.get(pk=vehicle.pk).status == start
            assert VehicleStatusChange.objects.filter(vehicle=vehicle).count() == before


def test_register_writes_produced_history_with_user_and_source(world):
    user = world.person(world.alpha, Role.MEMBER)
    vehicle = vehicle_make(world.alpha, user=user, note="first")
    with schema_context("alpha"):
        (change,) = VehicleStatusChange.objects.filter(vehicle=vehicle)
        assert (change.from_status, change.to_status, change.changed_by, change.source, change.note) == (
            "",
            "produced",
            user,
            "admin",
            "first",
        )


@pytest.mark.parametrize("start", [S.PRODUCED, S.REGISTERED])
def test_exported_by_hand_is_refused_naming_the_shipment(world, start):
    vehicle = vehicle_make(world.alpha)
    with schema_context("alpha"):
        for step in PATHS[start]:
            vehicle = _to(vehicle, step)
        before = VehicleStatusChange.objects.filter(vehicle=vehicle).count()
        with pytest.raises(ValidationError) as error:
            vehicle_status_change(vehicle=vehicle, to_status=S.EXPORTED)
        assert "shipment" in error.value.message_dict["to_status"][0]
        assert Vehicle.objects.get(pk=vehicle.pk).status == start
        assert VehicleStatusChange.objects.filter(vehicle=vehicle).count() == before
        assert S.EXPORTED not in manual_transitions(start)


def test_registration_needs_country_and_date(world):
    vehicle = vehicle_make(world.alpha)
    with schema_context("alpha"):
        with pytest.raises(ValidationError) as error:
            vehicle_status_change(vehicle=vehicle, to_status=S.REGISTERED)
        assert set(error.value.message_dict) == {"registration_country", "registration_date"}
        with pytest.raises(ValidationError) as error:
            vehicle_status_change(
                vehicle=vehicle,
                to_status=S.REGISTERED,
                registration_country="HU",
                registration_date=datetime.date(2020, 1, 1),
            )
        assert "registration_date" in error.value.message_dict  # before production
        assert Vehicle.objects.get(pk=vehicle.pk).status == S.PRODUCED
        vehicle = vehicle_status_change(
            vehicle=vehicle,
            to_status=S.REGISTERED,
            registration_country="hu",
            registration_region="Budapest",
            plate="ABC-123",
            registration_date=datetime.date(2024, 6, 1),
        )
        vehicle.refresh_from_db()
        assert (vehicle.registration_country.code, vehicle.registration_region, vehicle.plate) == (
            "HU",
            "Budapest",
            "ABC-123",
        )


def test_re_registration_abroad(world):
    vehicle = vehicle_make(world.alpha)
    with schema_context("alpha"):
        vehicle = _to(vehicle, S.REGISTERED)
        vehicle = _to(vehicle, S.EXPORTED)
        vehicle = _to(vehicle, S.REGISTERED, registration_country="SA", registration_date=datetime.date(2024, 9, 1))
        vehicle.refresh_from_db()
        assert vehicle.registration_country.code == "SA"
        assert list(vehicle.status_changes.values_list("to_status", flat=True)) == [
            "produced",
            "registered",
            "exported",
            "registered",
        ]


def test_duplicate_vin_is_refused_clearly(world):
    vehicle = vehicle_make(world.alpha)
    with pytest.raises(ValidationError) as error:
        vehicle_make(world.alpha, vin=vehicle.vin.lower())
    assert "already registered" in str(error.value.message_dict["vin"])
    with schema_context("alpha"):
        assert Vehicle.objects.filter(vin=vehicle.vin).count() == 1


def test_vin_of_another_partner_is_refused(world):
    wmi_ensure(world.beta)
    model = model_make(world.alpha)
    vin = vin_for(WMI["beta"])
    with pytest.raises(ValidationError) as error:
        vehicle_make(world.alpha, vin=vin, model=model)
    assert "another member" in str(error.value.message_dict["vin"])
    with schema_context("alpha"):
        assert not Vehicle.objects.filter(vin=vin).exists()


def test_market_decides_whether_the_check_digit_is_an_error(world):
    wmi_ensure(world.alpha)
    model = model_make(world.alpha)
    good = vin_for(WMI["alpha"])
    bad = good[:8] + ("1" if good[8] != "1" else "2") + good[9:]
    with schema_context("alpha"):
        kwargs = {"partner": world.alpha, "model": model, "production_date": datetime.date(2024, 1, 1)}
        with pytest.raises(ValidationError):
            vehicle_register(vin=bad, **kwargs)  # default market: the partner's country (CN)
        with pytest.raises(ValidationError):
            vehicle_register(vin=bad, market="US", **kwargs)
        with pytest.raises(ValidationError) as error:
            vehicle_register(vin=bad, market="XX", **kwargs)
        assert "market" in error.value.message_dict
        assert not Vehicle.objects.filter(vin=bad).exists()
        assert vehicle_register(vin=bad, market="EU", **kwargs).vin == bad


def test_model_update(world):
    model = model_make(world.alpha, name="Old name")
    other = model_make(world.alpha)
    with schema_context("alpha"):
        vehicle_model_update(vehicle_model=model, name=" New name ", connectivity=["5G", "5G", "OTA"], battery_kwh=5)
        model.refresh_from_db()
        assert (model.name, model.connectivity, str(model.battery_kwh)) == ("New name", ["5G", "OTA"], "5.00")
        with pytest.raises(ValidationError):
            vehicle_model_update(vehicle_model=model, name=other.name)
        assert VehicleModel.objects.get(pk=model.pk).name == "New name"


def _rows(model, count, *, start=1):
    return [
        {"vin": vin_for(WMI["alpha"], serial), "model": model.pk, "production_date": "2024-03-01"}
        for serial in range(start, start + count)
    ]


def test_bulk_register_writes_all_with_history(world):
    wmi_ensure(world.alpha)
    model = model_make(world.alpha)
    with schema_context("alpha"):
        rows = _rows(model, 50, start=700_000)
        rows[0]["model"] = model.name
        vehicles = vehicle_bulk_register(partner=world.alpha, rows=rows)
        assert len(vehicles) == 50
        assert Vehicle.objects.filter(vin__startswith="LAL", model=model).count() == 50
        assert (
            VehicleStatusChange.objects.filter(vehicle__model=model, source="api", to_status="produced").count() == 50
        )


def test_bulk_register_reports_every_problem_and_writes_nothing(world):
    wmi_ensure(world.alpha)
    wmi_ensure(world.beta)
    model = model_make(world.alpha)
    existing = vehicle_make(world.alpha, model=model)
    with schema_context("alpha"):
        rows = _rows(model, 10, start=710_000)
        rows[2]["vin"] = "TOO-SHORT"
        rows[3]["model"] = 999_999
        rows[4]["production_date"] = "yesterday"
        rows[5]["vin"] = vin_for(WMI["beta"], 5)
        rows[6]["vin"] = existing.vin
        rows[8]["vin"] = rows[7]["vin"]
        rows[9] = "not an object"
        before = Vehicle.objects.count()
        with pytest.raises(BulkValidationError) as error:
            vehicle_bulk_register(partner=world.alpha, rows=rows)
        found = {(e.index, e.field) for e in error.value.errors}
        assert found == {(2, "vin"), (3, "model"), (4, "production_date"), (5, "vin"), (6, "vin"), (8, "vin"), (9, "")}
        assert Vehicle.objects.count() == before


def test_bulk_limit(world):
    with schema_context("alpha"):
        with pytest.raises(ValidationError):
            vehicle_bulk_register(partner=world.alpha, rows=[{}] * (BULK_LIMIT + 1))
        with pytest.raises(ValidationError):
            vehicle_bulk_register(partner=world.alpha, rows=[])
