"""Who may open a partner's pages: the membership check on every partner host."""

import pytest
from django.urls import reverse

from tenants.choices import Role
from tenants.services import partner_deactivate, partner_reactivate

from ..conftest import ROLES, client_for


@pytest.mark.parametrize("role", ROLES)
def test_every_role_of_the_partner_sees_its_home(world, role):
    response = client_for(world.alpha, world.person(world.alpha, role)).get("/")
    assert response.status_code == 200
    assert response.context["current_partner"] == world.alpha
    assert response.context["current_membership"].role == role
    assert b"Alpha Motors" in response.content


def test_anonymous_visitor_is_sent_to_the_partner_login(world):
    response = client_for(world.alpha).get("/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


@pytest.mark.parametrize("role", ROLES)
def test_member_of_another_partner_is_refused(world, role):
    response = client_for(world.alpha, world.person(world.beta, role)).get("/")
    assert response.status_code == 403
    assert b"Alpha Motors" not in response.content
    assert b"owner@alpha" not in response.content


def test_staff_without_membership_is_refused_on_partner_host(world):
    response = client_for(world.alpha, world.staff).get("/")
    assert response.status_code == 403


def test_person_with_no_membership_is_refused(world):
    assert client_for(world.alpha, world.outsider).get("/").status_code == 403


def test_team_lists_only_this_partners_people(world):
    response = client_for(world.alpha, world.person(world.alpha, Role.VIEWER)).get("/")
    emails = [membership.user.email for membership in response.context["team"]]
    assert emails == [f"{role}@alpha.example.com" for role in ROLES]  # strongest role first


def test_unknown_host_gets_a_clear_not_found_page(db):
    response = client_for(None).get("/", HTTP_HOST="nobody.localhost")
    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_deactivated_partner_subdomain_is_shut_and_data_kept(world):
    owner = world.person(world.alpha, Role.OWNER)
    partner_deactivate(partner=world.alpha)
    try:
        response = client_for(world.alpha, owner).get("/")
        assert response.status_code == 404
        assert b"workspace is closed" in response.content
        assert world.alpha.memberships.count() == len(ROLES)
    finally:
        partner_reactivate(partner=world.alpha)
    assert client_for(world.alpha, owner).get("/").status_code == 200


def test_login_page_and_language_switch_are_open_to_anonymous_visitors(world):
    client = client_for(world.alpha)
    assert client.get(reverse("login")).status_code == 200
    response = client.post(reverse("set_language"), {"language": "ar", "next": "/accounts/login/"})
    assert response.status_code == 302
