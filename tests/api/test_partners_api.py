"""Partner directory and provisioning through the API."""

from django_tenants.utils import schema_exists

from tenants.choices import Role
from tenants.models import Partner

from ..conftest import client_for
from ..factories import PartnerRowFactory
from ..queries import query_budget


def test_staff_provision_a_partner_through_the_api(world):
    response = client_for(None, world.staff).post(
        "/api/v1/partners/",
        {"slug": "zeta-motors", "name": "Zeta Motors", "kind": "ev_maker", "country": "AE", "city": "Dubai"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["url"] == "http://zeta-motors.localhost:8000/"
    assert schema_exists("zeta_motors")


def test_non_staff_cannot_provision_and_nothing_is_created(world):
    count = Partner.objects.count()
    response = client_for(world.alpha, world.person(world.alpha, Role.OWNER)).post(
        "/api/v1/partners/",
        {"slug": "sneaky", "name": "Sneaky", "kind": "ev_maker", "country": "CN"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert Partner.objects.count() == count
    assert not schema_exists("sneaky")


def test_provisioning_validation_errors_name_the_field(world):
    response = client_for(None, world.staff).post(
        "/api/v1/partners/",
        {"slug": "alpha", "name": "Dup", "kind": "ev_maker", "country": "ZZ"},
        content_type="application/json",
    )
    assert response.status_code == 400
    attrs = {error["attr"] for error in response.json()["errors"]}
    assert "country" in attrs


def test_directory_lists_member_partners_only(world):
    response = client_for(world.alpha, world.person(world.alpha, Role.VIEWER)).get("/api/v1/partners/")
    slugs = {partner["slug"] for partner in response.json()["results"]}
    assert {"alpha", "beta"} <= slugs
    assert "public" not in slugs and "partner-template" not in slugs


def test_directory_query_count_does_not_grow_with_partners(world):
    client = client_for(None, world.staff)
    client.get("/api/v1/partners/")
    PartnerRowFactory.create_batch(20)
    with query_budget(7):  # host, session, user, rate window, count, page, domains
        response = client.get("/api/v1/partners/?page_size=100")
    assert response.json()["count"] >= 22


def test_staff_home_query_budget(world):
    PartnerRowFactory.create_batch(20)
    client = client_for(None, world.staff)
    with query_budget(8):
        response = client.get("/staff/")
    assert response.status_code == 200
    assert len(response.context["page"].object_list) >= 22
