"""Battery services: create, update, fit, readings; the passport index and the completeness flag follow."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django_tenants.utils import schema_context

from portal.batteries.choices import BatteryCategory, BatteryStatus, ReadingSource
from portal.batteries.models import Battery, BatteryFitment, BatteryReading
from portal.batteries.registry.models import PassportIndex
from portal.batteries.registry.selectors import passport_locate
from portal.batteries.services import (
    battery_create,
    battery_delete,
    battery_fit,
    battery_model_update,
    battery_reading_add,
    battery_remove,
    battery_update,
)
from portal.integrations.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from tests.vehicles.factories import vehicle_make

from .factories import battery_make, identifier_next, model_make

pytestmark = pytest.mark.django_db
AT = datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.UTC)


def test_create_indexes_the_passport_for_the_public_host(world):
    battery = battery_make(world.alpha)
    entry = passport_locate(battery.identifier)
    assert entry.partner == world.alpha and entry.battery_id == battery.pk
    assert battery.complete is True


def test_identifiers_are_unique_across_the_alliance(world):
    battery = battery_make(world.alpha)
    model = model_make(world.beta)
    with schema_context("beta"), pytest.raises(ValidationError) as error:
        battery_create(partner=world.beta, identifier=battery.identifier, battery_model=model)
    assert "identifier" in error.value.message_dict
    with schema_context("beta"):
        assert not Battery.objects.exists()
    assert PassportIndex.objects.get(identifier=battery.identifier).partner == world.alpha


@pytest.mark.parametrize("bad", ["", "x", "has space", "ÄÖ-1", "A" * 101])
def test_malformed_identifiers_are_refused(world, bad):
    model = model_make(world.alpha)
    with schema_context("alpha"), pytest.raises(ValidationError) as error:
        battery_create(partner=world.alpha, identifier=bad, battery_model=model)
    assert "identifier" in error.value.message_dict
    assert not PassportIndex.objects.filter(partner=world.alpha).exists()


def test_identifier_is_normalised_to_upper_case(world):
    battery = battery_make(world.alpha, identifier=" la0123-abc ")
    assert battery.identifier == "LA0123-ABC"


def test_unknown_attribute_values_are_refused(world):
    model = model_make(world.alpha)
    with schema_context("alpha"), pytest.raises(ValidationError) as error:
        battery_create(partner=world.alpha, identifier=identifier_next(), battery_model=model, values={"nope": 1})
    assert "values" in error.value.message_dict


def test_category_must_be_the_model_s(world):
    model = model_make(world.alpha, category=BatteryCategory.EV)
    with schema_context("alpha"), pytest.raises(ValidationError) as error:
        battery_create(
            partner=world.alpha, identifier=identifier_next(), battery_model=model, category=BatteryCategory.LMT
        )
    assert "category" in error.value.message_dict


def test_status_transitions(world):
    battery = battery_make(world.alpha)
    with schema_context("alpha"):
        battery = battery_update(battery=battery, partner=world.alpha, status=BatteryStatus.REPURPOSED)
        battery = battery_update(battery=battery, partner=world.alpha, status=BatteryStatus.WASTE)
        with pytest.raises(ValidationError) as error:
            battery_update(battery=battery, partner=world.alpha, status=BatteryStatus.ORIGINAL)
        assert "status" in error.value.message_dict
        statuses = [row.status for row in Battery.history.filter(id=battery.pk).order_by("history_date")]
        assert statuses[-2:] == [BatteryStatus.REPURPOSED, BatteryStatus.WASTE]


def test_identifier_correction_follows_in_the_index(world):
    battery = battery_make(world.alpha)
    old = battery.identifier
    with schema_context("alpha"):
        battery_update(battery=battery, partner=world.alpha, identifier="LA0999-NEW")
    assert passport_locate(old) is None
    assert passport_locate("LA0999-NEW").battery_id == battery.pk


def test_delete_forgets_the_passport(world):
    battery = battery_make(world.alpha)
    with schema_context("alpha"):
        battery_delete(battery=battery, partner=world.alpha)
        assert not Battery.objects.filter(pk=battery.pk).exists()
    assert passport_locate(battery.identifier) is None


def test_a_replacement_keeps_both_histories(world):
    first_vehicle = vehicle_make(world.alpha)
    second_vehicle = vehicle_make(world.alpha)
    old = battery_make(world.alpha, vin=first_vehicle.vin, fitted_on=datetime.date(2025, 1, 10))
    new = battery_make(world.alpha)
    with schema_context("alpha"):
        battery_remove(battery=old, removed_on=datetime.date(2026, 2, 1))
        battery_fit(battery=new, vin=first_vehicle.vin, fitted_on=datetime.date(2026, 2, 1))
        battery_fit(battery=old, vin=second_vehicle.vin.lower(), fitted_on=datetime.date(2026, 3, 1))
        old.refresh_from_db()
        assert old.vehicle_id == second_vehicle.pk
        fitments = BatteryFitment.objects.filter(battery=old).order_by("fitted_on")
        history = list(fitments.values_list("vin", "removed_on"))
        assert history == [(first_vehicle.vin, datetime.date(2026, 2, 1)), (second_vehicle.vin, None)]
        vehicle_history = BatteryFitment.objects.filter(vehicle=first_vehicle).order_by("fitted_on")
        assert [fitment.battery_id for fitment in vehicle_history] == [old.pk, new.pk]


def test_fitting_to_an_unknown_vin_changes_nothing(world):
    battery = battery_make(world.alpha)
    with schema_context("alpha"):
        with pytest.raises(ValidationError) as error:
            battery_fit(battery=battery, vin="LALXXXXXXXXXXXXXX", fitted_on=datetime.date(2026, 1, 1))
        assert "vin" in error.value.message_dict
        assert not BatteryFitment.objects.filter(battery=battery).exists()


def test_another_partner_s_vehicle_cannot_be_used(world):
    vehicle = vehicle_make(world.beta)
    battery = battery_make(world.alpha)
    with schema_context("alpha"), pytest.raises(ValidationError):
        battery_fit(battery=battery, vin=vehicle.vin, fitted_on=datetime.date(2026, 1, 1))


def test_readings_upsert_on_battery_time_and_source(world):
    battery = battery_make(world.alpha)
    with schema_context("alpha"):
        battery_reading_add(battery=battery, partner=world.alpha, measured_at=AT, state_of_health="97,5", cycles=10)
        battery_reading_add(battery=battery, partner=world.alpha, measured_at=AT, state_of_health="97.1", cycles=11)
        battery_reading_add(
            battery=battery, partner=world.alpha, measured_at=AT, negative_event="Deep", source=ReadingSource.BMS
        )
        readings = BatteryReading.objects.filter(battery=battery)
        assert readings.count() == 2
        assert str(readings.get(source=ReadingSource.MANUAL).state_of_health) == "97.10"


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"state_of_health": "101"}, "state_of_health"),
        ({"capacity_fade": "-1"}, "capacity_fade"),
        ({"cycles": "many"}, "cycles"),
        ({"energy_throughput": "NaN"}, "energy_throughput"),
        ({}, "measured_at"),
        ({"cycles": 1, "source": "bogus"}, "source"),
    ],
)
def test_bad_readings_are_refused(world, fields, key):
    battery = battery_make(world.alpha)
    with schema_context("alpha"):
        with pytest.raises(ValidationError) as error:
            battery_reading_add(battery=battery, partner=world.alpha, measured_at=AT, **fields)
        assert key in error.value.message_dict
        assert not BatteryReading.objects.filter(battery=battery).exists()


def test_model_values_change_recomputes_its_batteries(world):
    model = model_make(world.alpha)
    batteries = [battery_make(world.alpha, battery_model=model) for _ in range(3)]
    assert all(battery.complete for battery in batteries)
    with schema_context("alpha"):
        battery_model_update(battery_model=model, values_merge={"battery_mass": None})
        assert not Battery.objects.filter(battery_model=model, complete=True).exists()
        battery_model_update(battery_model=model, values_merge={"battery_mass": "12 kg"})
        assert Battery.objects.filter(battery_model=model, complete=True).count() == 3


def test_passport_changes_reach_subscribed_webhooks(world):
    endpoint = WebhookEndpoint.objects.create(
        partner=world.alpha, url="https://hooks.example.com/x", events=[WebhookEvent.PASSPORT_CHANGED], secret="s"
    )
    battery = battery_make(world.alpha)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.payload["data"] == {"identifier": battery.identifier, "change": "created", "complete": True}
    assert connection.schema_name == "public"


def test_model_change_emits_one_event_and_the_refresh_command_fixes_stale_flags(world):
    from django.core.management import call_command

    endpoint = WebhookEndpoint.objects.create(
        partner=world.alpha, url="https://hooks.example.com/m", events=[WebhookEvent.PASSPORT_CHANGED], secret="s"
    )
    model = model_make(world.alpha)
    batteries = [battery_make(world.alpha, battery_model=model) for _ in range(3)]
    before = WebhookDelivery.objects.filter(endpoint=endpoint).count()
    with schema_context("alpha"):
        battery_model_update(battery_model=model, name="Renamed")
    assert WebhookDelivery.objects.filter(endpoint=endpoint).count() == before + 1
    with schema_context("alpha"):
        Battery.objects.filter(pk__in=[battery.pk for battery in batteries]).update(complete=False)  # stale
    call_command("passport_completeness_refresh", partner="alpha", stdout=io.StringIO())
    with schema_context("alpha"):
        assert Battery.objects.filter(pk__in=[battery.pk for battery in batteries], complete=True).count() == 3


def test_bulk_index_skips_identifiers_already_indexed(world):
    from portal.batteries.registry.services import passport_index_bulk_add

    taken = battery_make(world.beta)
    added = passport_index_bulk_add(
        partner=world.alpha, rows=[("LA0-BULK-1", 1), ("LA0-BULK-2", 2), (taken.identifier, 3)], batch_size=2
    )
    assert added >= 2
    assert passport_locate("LA0-BULK-2").partner == world.alpha
    assert passport_locate(taken.identifier).partner == world.beta  # never taken over
