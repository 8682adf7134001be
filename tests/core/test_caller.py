"""The person behind a call, resolved once for pages, services and the API."""

import pytest
from django.test import RequestFactory

from portal.core.caller import person_of, request_person
from tenants.choices import Role

pytestmark = pytest.mark.django_db


def test_the_person_of_a_caller(world):
    person = world.person(world.alpha, Role.MEMBER)
    assert person_of(person) == person
    assert person_of(None) is None
    assert person_of(type(person)(email="unsaved@example.com")) is None
    request = RequestFactory().get("/")
    assert request_person(request) is None
    request.user = person
    assert request_person(request) == person
