"""The platform's role check for pages: one mechanism, and a 403 page that names the role needed."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from portal.core.roles import RoleRequired, has_role, role_check
from tenants.choices import Role

from ..conftest import client_for

pytestmark = pytest.mark.django_db


def test_a_viewer_is_told_which_role_a_page_needs(world):
    client = client_for(world.alpha, world.person(world.alpha, Role.VIEWER))
    response = client.get(reverse("vehicles:model_create"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "This needs the role “Manager” or a stronger one." in page
    assert "Your role here: Viewer." in page


def test_a_refusal_that_is_not_about_roles_keeps_the_general_page(world):
    response = client_for(None, world.person(world.alpha, Role.OWNER)).get("/statistics/runs/")
    assert response.status_code == 403
    assert "This needs the role" not in response.content.decode()


@pytest.mark.parametrize(
    ("role", "minimum", "allowed"),
    [
        (Role.VIEWER, Role.VIEWER, True),
        (Role.VIEWER, Role.MEMBER, False),
        (Role.MEMBER, Role.MEMBER, True),
        (Role.MANAGER, Role.OWNER, False),
        (Role.OWNER, Role.MANAGER, True),
    ],
)
def test_has_role_compares_ranks(world, role, minimum, allowed):
    request = RequestFactory().get("/")
    request.membership = world.alpha.memberships.get(user=world.person(world.alpha, role))
    assert has_role(request, minimum) is allowed
    if not allowed:
        with pytest.raises(RoleRequired):
            role_check(request, minimum)


def test_no_membership_has_no_role():
    request = RequestFactory().get("/")
    assert not has_role(request, Role.VIEWER)
    request.membership = None
    with pytest.raises(RoleRequired):
        role_check(request, Role.VIEWER)
