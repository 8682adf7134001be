"""Battery pages: role matrix, forms through the services, list filters and query budget, another partner → 404."""

import datetime

import pytest
from django.urls import reverse
from django_tenants.utils import schema_context

from portal.batteries.choices import BatteryStatus
from portal.batteries.models import Battery, BatteryFitment, BatteryModel, BatteryReading
from portal.batteries.registry.selectors import passport_locate
from tenants.choices import Role
from tests.vehicles.factories import vehicle_make

from ..conftest import ROLES, client_for
from ..queries import assert_same_queries, query_budget
from .factories import battery_make, identifier_next, model_make

pytestmark = pytest.mark.django_db
WRITERS = {Role.OWNER, Role.MANAGER, Role.MEMBER}
MANAGERS = {Role.OWNER, Role.MANAGER}


def _client(world, role, partner=None):
    partner = partner or world.alpha
    return client_for(partner, world.person(partner, role))


@pytest.mark.parametrize("role", ROLES)
def test_every_member_reads(world, role):
    battery = battery_make(world.alpha)
    client = _client(world, role)
    for name in ("battery_detail", "battery_history"):
        response = client.get(reverse(f"batteries:{name}", kwargs={"identifier": battery.identifier}))
        assert response.status_code == 200
        assert battery.identifier in response.content.decode()
    listed = client.get(reverse("batteries:battery_list"))
    assert battery.identifier in listed.content.decode()
    assert client.get(reverse("batteries:model_list")).status_code == 200


def test_detail_shows_each_reader_s_section_and_what_is_missing(world):
    model = model_make(world.alpha, complete=False, values={"results_of_test_reports_proving_compliance": "TR-77"})
    battery = battery_make(world.alpha, battery_model=model, complete=False)
    url = reverse("batteries:battery_detail", kwargs={"identifier": battery.identifier})
    page = _client(world, Role.VIEWER).get(url)
    html = page.content.decode()
    for reader in ("public", "legitimate_interest", "authority"):
        assert f'data-testid="section-{reader}"' in html
    public = html.split('data-testid="section-public"')[1].split("</details>")[0]
    authority = html.split('data-testid="section-authority"')[1].split("</details>")[0]
    assert "TR-77" not in public and "TR-77" in authority
    assert 'data-testid="missing"' in html and "Battery mass" in html


@pytest.mark.parametrize("role", ROLES)
def test_create_battery_role_matrix(world, role):
    model = model_make(world.alpha)
    identifier = identifier_next()
    response = _client(world, role).post(
        reverse("batteries:battery_create"),
        {"identifier": identifier, "battery_model": model.pk, "status": BatteryStatus.ORIGINAL},
    )
    with schema_context("alpha"):
        exists = Battery.objects.filter(identifier=identifier).exists()
    if role in WRITERS:
        assert response.status_code == 302 and exists
        assert passport_locate(identifier) is not None
    else:
        assert response.status_code == 403 and not exists
        assert passport_locate(identifier) is None


def test_create_form_shows_the_service_s_errors_and_keeps_nothing(world):
    model = model_make(world.alpha)
    response = _client(world, Role.MEMBER).post(
        reverse("batteries:battery_create"), {"identifier": "bad id!", "battery_model": model.pk, "status": "original"}
    )
    assert response.status_code == 200 and "ISO/IEC 15459" in response.content.decode()
    with schema_context("alpha"):
        assert not Battery.objects.filter(battery_model=model).exists()


def test_edit_values_fit_and_reading_through_the_pages(world):
    vehicle = vehicle_make(world.alpha)
    battery = battery_make(world.alpha)
    client = _client(world, Role.MEMBER)
    kwargs = {"identifier": battery.identifier}
    edited = client.post(
        reverse("batteries:battery_update", kwargs=kwargs),
        {
            "identifier": battery.identifier,
            "battery_model": battery.battery_model_id,
            "status": BatteryStatus.REPURPOSED,
            "value__extinguishing_agent": "Sand",
        },
    )
    assert edited.status_code == 302
    fit = {"vin": vehicle.vin, "fitted_on": "2026-02-01"}
    fitted = client.post(reverse("batteries:battery_fit", kwargs=kwargs), fit)
    assert fitted.status_code == 302
    read = client.post(
        reverse("batteries:battery_reading", kwargs=kwargs),
        {"measured_at": "2026-03-01T10:00", "state_of_health": "97.5", "source": "manual"},
    )
    assert read.status_code == 302
    with schema_context("alpha"):
        battery.refresh_from_db()
        assert battery.status == BatteryStatus.REPURPOSED and battery.values["extinguishing_agent"] == "Sand"
        assert BatteryFitment.objects.get(battery=battery).fitted_on == datetime.date(2026, 2, 1)
        assert BatteryReading.objects.filter(battery=battery).count() == 1
    history = client.get(reverse("batteries:battery_history", kwargs=kwargs)).content.decode()
    changes = history.split('data-testid="changes"')[1].split("</ol>")[0]
    assert "Original" in changes and "Repurposed" in changes
    assert vehicle.vin in history


@pytest.mark.parametrize("role", ROLES)
def test_battery_model_role_matrix(world, role):
    response = _client(world, role).post(
        reverse("batteries:model_create"),
        {"code": f"PG-{role}", "name": "Pack", "category": "LMT", "chemistry": "LFP", "value__battery_mass": "9 kg"},
    )
    with schema_context("alpha"):
        model = BatteryModel.objects.filter(code=f"PG-{role}").first()
    if role in MANAGERS:
        assert response.status_code == 302 and model.values == {"battery_mass": "9 kg"}
    else:
        assert response.status_code == 403 and model is None


def test_another_partner_s_battery_is_not_found(world):
    battery = battery_make(world.beta)
    client = _client(world, Role.OWNER)
    for name in ("battery_detail", "battery_history", "battery_update", "battery_fit", "battery_reading"):
        assert client.get(reverse(f"batteries:{name}", kwargs={"identifier": battery.identifier})).status_code == 404
    response = client.post(
        reverse("batteries:battery_update", kwargs={"identifier": battery.identifier}),
        {"identifier": "LA0-STOLEN", "battery_model": battery.battery_model_id, "status": "waste"},
    )
    assert response.status_code == 404
    with schema_context("beta"):
        assert Battery.objects.get(pk=battery.pk).status == BatteryStatus.ORIGINAL


def test_list_filters(world):
    complete = battery_make(world.alpha)
    incomplete = battery_make(world.alpha, complete=False)
    client = _client(world, Role.VIEWER)
    url = reverse("batteries:battery_list")
    only_incomplete = client.get(url, {"complete": "false"}).content.decode()
    assert incomplete.identifier in only_incomplete and complete.identifier not in only_incomplete
    by_prefix = client.get(url, {"identifier": complete.identifier[:-1].lower()}).content.decode()
    assert complete.identifier in by_prefix
    assert 'data-testid="filter-chip"' in by_prefix


def test_list_query_budget_does_not_grow(world):
    vehicle = vehicle_make(world.alpha)
    battery_make(world.alpha, vin=vehicle.vin, fitted_on=datetime.date(2026, 1, 1))
    client = _client(world, Role.VIEWER)
    url = reverse("batteries:battery_list")
    client.get(url)
    with query_budget(30) as few:
        client.get(url)
    model = model_make(world.alpha)
    for _ in range(12):
        other = vehicle_make(world.alpha)
        battery_make(world.alpha, battery_model=model, vin=other.vin, fitted_on=datetime.date(2026, 1, 1))
    with query_budget(30) as many:
        client.get(url)
    assert_same_queries(few, many, "battery list")


def test_detail_query_budget_does_not_grow_with_readings_or_fitments(world):
    battery = battery_make(world.alpha)
    client = _client(world, Role.VIEWER)
    url = reverse("batteries:battery_detail", kwargs={"identifier": battery.identifier})
    client.get(url)
    with query_budget(30) as few:
        client.get(url)
    with schema_context("alpha"):
        from portal.batteries.services import battery_fit, battery_reading_add

        for day in range(1, 6):
            battery_reading_add(
                battery=battery,
                partner=world.alpha,
                measured_at=datetime.datetime(2026, 1, day, tzinfo=datetime.UTC),
                cycles=day,
            )
        for month in (2, 3):
            battery_fit(battery=battery, vin=vehicle_make(world.alpha).vin, fitted_on=datetime.date(2026, month, 1))
    with query_budget(30) as many:
        client.get(url)
    assert_same_queries(few, many, "battery detail")


def test_history_query_budget_does_not_grow_with_changes(world):
    from portal.batteries.services import battery_fit, battery_update

    battery = battery_make(world.alpha)
    client = _client(world, Role.VIEWER)
    url = reverse("batteries:battery_history", kwargs={"identifier": battery.identifier})
    with schema_context("alpha"):
        battery_fit(battery=battery, vin=vehicle_make(world.alpha).vin, fitted_on=datetime.date(2026, 1, 1))
    client.get(url)
    with query_budget(30) as few:
        client.get(url)
    with schema_context("alpha"):
        for month, status in ((2, BatteryStatus.REPURPOSED), (3, BatteryStatus.REMANUFACTURED)):
            battery_fit(battery=battery, vin=vehicle_make(world.alpha).vin, fitted_on=datetime.date(2026, month, 1))
            battery = battery_update(battery=battery, partner=world.alpha, status=status)
    with query_budget(30) as many:
        page = client.get(url)
    assert_same_queries(few, many, "battery history")
    assert "Remanufactured" in page.content.decode()


def test_the_vehicle_page_lists_the_batteries_fitted_to_it_now_and_before(world):
    from portal.batteries.services import battery_fit

    vehicle = vehicle_make(world.alpha)
    first = battery_make(world.alpha, identifier="LA0123-FIRST-PACK")
    second = battery_make(world.alpha, identifier="LA0123-SECOND-PACK", complete=False)
    other = battery_make(world.alpha, identifier="LA0123-ELSEWHERE")
    with schema_context(world.alpha.schema_name):
        battery_fit(battery=first, vin=vehicle.vin, fitted_on=datetime.date(2025, 3, 1))
        battery_fit(battery=second, vin=vehicle.vin, fitted_on=datetime.date(2026, 6, 1))
        battery_fit(battery=first, vin=vehicle_make(world.alpha).vin, fitted_on=datetime.date(2026, 6, 1))
    client = client_for(world.alpha, world.person(world.alpha, Role.VIEWER))
    page = client.get(reverse("vehicles:vehicle_detail", kwargs={"vin": vehicle.vin})).content.decode()
    assert page.index("LA0123-SECOND-PACK") < page.index("LA0123-FIRST-PACK")  # the current battery first
    assert 'href="/batteries/LA0123-SECOND-PACK/"' in page and "passport incomplete" in page
    assert "LA0123-ELSEWHERE" not in page and other.identifier not in page
    bare = vehicle_make(world.alpha)
    page = client.get(reverse("vehicles:vehicle_detail", kwargs={"vin": bare.vin})).content.decode()
    assert "No battery recorded for this vehicle." in page
