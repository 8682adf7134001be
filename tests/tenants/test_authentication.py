"""Authentication hardening: brute-force cool-off on sign-in, the admin and the API; strong passwords;
session rotation; idle and absolute time-outs."""

import time

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from portal.accounts import sessions
from portal.audit.choices import AuditAction
from portal.audit.models import AuditEvent
from portal.integrations.services import api_key_create
from tenants.choices import Role

from ..conftest import client_for

ME = "/api/v1/me/"


def test_the_admin_sign_in_goes_through_the_cooled_off_portal_sign_in(world, settings, password):
    client = client_for(None)
    posted = client.post("/admin/login/", {"username": "staff@example.com", "password": password})
    assert posted.status_code == 302 and posted["Location"].startswith("/accounts/login/")
    assert client.get("/admin/").status_code == 302, "the admin's own form signs nobody in"
    for _attempt in range(settings.LOGIN_FAILURE_LIMIT):
        client.post("/accounts/login/?next=/admin/", {"username": "staff@example.com", "password": "wrong-password"})
    locked = client.post("/accounts/login/?next=/admin/", {"username": "staff@example.com", "password": password})
    assert locked.status_code == 429


def test_guessing_api_keys_cools_off_the_address_with_a_clear_json_429(world, settings):
    _key, raw = api_key_create(partner=world.alpha, name="ERP")
    client = client_for(world.alpha)
    for attempt in range(settings.API_KEY_FAILURE_LIMIT):
        response = client.get(ME, HTTP_AUTHORIZATION=f"Api-Key AbCdEfGh.guess{attempt:027d}")
        assert response.status_code == 401
    refused = client.get(ME, HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert refused.status_code == 429
    body = refused.json()
    assert body["errors"][0]["code"] == "api_key_cool_off"
    assert int(refused["Retry-After"]) > 0
    assert AuditEvent.objects.filter(action=AuditAction.API_KEY_REFUSED).count() == settings.API_KEY_FAILURE_LIMIT


def test_the_api_key_cool_off_ends(world, settings, monkeypatch):
    """A cool-off, not a permanent lock-out: after it, the right key works again."""
    _key, raw = api_key_create(partner=world.alpha, name="ERP")
    client = client_for(world.alpha)
    for attempt in range(settings.API_KEY_FAILURE_LIMIT):
        client.get(ME, HTTP_AUTHORIZATION=f"Api-Key AbCdEfGh.guess{attempt:027d}")
    assert client.get(ME, HTTP_AUTHORIZATION=f"Api-Key {raw}").status_code == 429
    settings.AXES_COOLOFF_TIME = 0.0000001  # hours: the cool-off is over at once
    assert client.get(ME, HTTP_AUTHORIZATION=f"Api-Key {raw}").status_code == 200


def test_a_valid_key_on_the_wrong_host_is_no_guess(world, settings):
    _key, raw = api_key_create(partner=world.beta, name="beta ERP")
    client = client_for(world.alpha)
    for _attempt in range(settings.API_KEY_FAILURE_LIMIT + 1):
        assert client.get(ME, HTTP_AUTHORIZATION=f"Api-Key {raw}").status_code == 401


@pytest.mark.parametrize(
    "weak",
    ["short-1", "password1234", "aaaaaaaaaaaaaaa", "abababababababab", "123456789012345", "owner.alpha.example"],
)
def test_weak_passwords_are_refused(world, weak):
    with pytest.raises(ValidationError):
        validate_password(weak, user=world.person(world.alpha, Role.OWNER))


def test_a_strong_password_is_accepted_and_the_change_form_explains_refusals(world, password):
    validate_password("Tram lines hum at 5 am", user=world.person(world.alpha, Role.OWNER))
    client = client_for(world.alpha, world.person(world.alpha, Role.OWNER))
    response = client.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": "aaaaaaaaaaaaaa", "new_password2": "aaaaaaaaaaaaaa"},
    )
    assert response.status_code == 200
    assert b"too few characters" in response.content


def test_sign_out_ends_the_session(world, password):
    """(Rotation at sign-in: tests/core/test_pages.py; after the two-factor step: test_two_factor.py.)"""
    client = client_for(world.alpha)
    client.post(reverse("login"), {"username": "owner@alpha.example.com", "password": password})
    signed_in_key = client.session.session_key
    assert client.get("/").status_code == 200
    client.post(reverse("logout"))
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=signed_in_key).exists()


def _age_session(client, **shift):
    session = client.session
    for key, seconds in shift.items():
        session[key] = session[key] - seconds
    session.save()


@pytest.mark.parametrize(
    ("key", "setting"),
    [(sessions.SEEN, "SESSION_IDLE_TIMEOUT"), (sessions.STARTED, "SESSION_ABSOLUTE_TIMEOUT")],
)
def test_idle_and_old_sessions_are_signed_out(world, password, key, setting):
    client = client_for(world.alpha)
    client.post(reverse("login"), {"username": "owner@alpha.example.com", "password": password})
    assert client.get("/").status_code == 200
    _age_session(client, **{key: getattr(settings, setting) + 5})
    page = client.get("/vehicles/")
    assert page.status_code == 302 and page["Location"].startswith("/accounts/login/")
    assert client.get("/").status_code == 302, "the session is gone, not just refused once"
    assert AuditEvent.objects.filter(action=AuditAction.SESSION_EXPIRED).exists()


def test_an_expired_session_on_the_api_gets_json_401(world, password):
    client = client_for(world.alpha)
    client.post(reverse("login"), {"username": "owner@alpha.example.com", "password": password})
    _age_session(client, **{sessions.SEEN: settings.SESSION_IDLE_TIMEOUT + 5})
    response = client.get(ME)
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "session_expired"


def test_activity_keeps_a_session_alive(world, password):
    client = client_for(world.alpha)
    client.post(reverse("login"), {"username": "owner@alpha.example.com", "password": password})
    _age_session(client, **{sessions.SEEN: settings.SESSION_IDLE_TIMEOUT - 10})
    assert client.get("/").status_code == 200
    assert time.time() - client.session[sessions.SEEN] < 5, "the request counted as activity"
    assert client.get("/vehicles/").status_code == 200
