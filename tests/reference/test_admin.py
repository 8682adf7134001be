"""Staff keep the WMI register in the admin; partner-schema data (vehicles, models) is not in the public admin."""

import pytest
from django.contrib import admin

from portal.reference.models import WmiAssignment
from portal.vehicles.models import ImportJob, Vehicle, VehicleModel, VehicleStatusChange
from tenants.choices import Role

from ..conftest import client_for

pytestmark = pytest.mark.django_db


def test_wmi_register_list_and_search(world):
    WmiAssignment.objects.create(wmi="LAL", partner=world.alpha, note="alpha main")
    WmiAssignment.objects.create(wmi="LA9", small_maker_code="ABC", partner=world.beta)
    client = client_for(None, world.staff)
    listed = client.get("/admin/reference/wmiassignment/")
    assert listed.status_code == 200
    body = client.get("/admin/reference/wmiassignment/", {"q": "Beta"}).content.decode()
    assert "LA9" in body and "alpha main" not in body
    assert client.get("/admin/reference/wmiassignment/add/").status_code == 200


def test_staff_adds_a_wmi_and_the_unique_rule_holds(world):
    client = client_for(None, world.staff)
    data = {"wmi": "LZZ", "small_maker_code": "", "partner": world.alpha.pk, "note": ""}
    assert client.post("/admin/reference/wmiassignment/add/", data).status_code == 302
    again = client.post("/admin/reference/wmiassignment/add/", {**data, "partner": world.beta.pk})
    assert again.status_code == 200
    assert list(WmiAssignment.objects.filter(wmi="LZZ").values_list("partner", flat=True)) == [world.alpha.pk]
    bad = client.post("/admin/reference/wmiassignment/add/", {**data, "wmi": "IOQ"})
    assert bad.status_code == 200 and not WmiAssignment.objects.filter(wmi="IOQ").exists()


def test_partner_people_cannot_edit_the_register(world):
    owner = world.person(world.alpha, Role.OWNER)
    response = client_for(None, owner).post(
        "/admin/reference/wmiassignment/add/", {"wmi": "LQA", "partner": world.alpha.pk}
    )
    assert response.status_code in (302, 403)
    assert not WmiAssignment.objects.filter(wmi="LQA").exists()


def test_partner_schema_models_are_not_in_the_public_admin():
    for model in (Vehicle, VehicleModel, VehicleStatusChange, ImportJob):
        assert not admin.site.is_registered(model)
