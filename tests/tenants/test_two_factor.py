"""Optional two-factor sign-in: enrol with a server-rendered QR code, confirm, sign in with a code or a recovery
code, and the staff admin that requires it when the deployment says so."""

import base64
import json
import re

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts import two_factor
from portal.accounts import views as accounts
from portal.audit.choices import AuditAction
from portal.audit.models import AuditEvent
from tenants.choices import Role

from ..conftest import client_for

PAGE = "/accounts/two-factor/"


def _code(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _fresh(device):
    """Forget the code already used in this 30-second step and past failures (replay and throttle protection)."""
    device.refresh_from_db()
    device.last_t, device.throttling_failure_count, device.throttling_failure_timestamp = -1, 0, None
    device.save()
    return device


def _enrol(client, user) -> list[str]:
    client.post(PAGE, {"action": "begin"})
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(PAGE, {"action": "confirm", "otp_token": _code(device)})
    assert response.status_code == 200
    return re.findall(r"<li>([a-z0-9]{8})</li>", response.content.decode())


def test_enrolment_shows_a_qr_code_made_here_and_needs_a_right_code(world):
    owner = world.person(world.alpha, Role.OWNER)
    client = client_for(world.alpha, owner)
    assert b"Set up two-factor sign-in" in client.get(PAGE).content
    page = client.post(PAGE, {"action": "begin"}).content.decode()
    qr = re.search(r'<img src="data:image/svg\+xml;base64,([^"]+)"', page).group(1)
    assert base64.b64decode(qr).lstrip().startswith((b"<?xml", b"<svg"))
    device = TOTPDevice.objects.get(user=owner, confirmed=False)
    typed = re.search(r'<code class="user-select-all">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    assert base64.b32decode(typed + "=" * (-len(typed) % 8)) == device.bin_key
    wrong = client.post(PAGE, {"action": "confirm", "otp_token": "000000" if _code(device) != "000000" else "111111"})
    assert b"not right" in wrong.content and not two_factor.two_factor_enabled(owner)
    codes = _enrol(client, owner)
    assert two_factor.two_factor_enabled(owner) and len(codes) == 10
    assert AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR_ENABLED, actor=owner).exists()
    stored = json.dumps(list(AuditEvent.objects.values()), default=str)
    assert device.key not in stored and typed not in stored and not any(code in stored for code in codes)


def test_sign_in_asks_for_the_code_before_signing_in(world, password):
    owner = world.person(world.alpha, Role.OWNER)
    _enrol(client_for(world.alpha, owner), owner)
    device = TOTPDevice.objects.get(user=owner, confirmed=True)
    client = client_for(world.alpha)
    step = client.post(reverse("login"), {"username": owner.email, "password": password})
    assert step["Location"] == reverse("two-factor-verify")
    assert client.get("/").status_code == 302, "not signed in after the password alone"
    before = client.session.session_key
    assert b"not right" in client.post(reverse("two-factor-verify"), {"otp_token": "12345x"}).content
    done = client.post(reverse("two-factor-verify"), {"otp_token": _code(_fresh(device))})
    assert done.status_code == 302 and done["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.session.session_key != before, "the session rotates when the sign-in completes"
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, actor=owner).exists()


def test_a_recovery_code_works_once(world, password):
    owner = world.person(world.alpha, Role.OWNER)
    codes = _enrol(client_for(world.alpha, owner), owner)
    for expected in (302, 200):
        client = client_for(world.alpha)
        client.post(reverse("login"), {"username": owner.email, "password": password})
        response = client.post(reverse("two-factor-verify"), {"otp_token": codes[0]})
        assert response.status_code == expected
    assert AuditEvent.objects.filter(action=AuditAction.RECOVERY_CODE_USED).count() == 1


def test_wrong_codes_send_the_person_back_to_the_password(world, password):
    owner = world.person(world.alpha, Role.OWNER)
    _enrol(client_for(world.alpha, owner), owner)
    client = client_for(world.alpha)
    client.post(reverse("login"), {"username": owner.email, "password": password})
    for _attempt in range(accounts.MAX_TRIES):
        response = client.post(reverse("two-factor-verify"), {"otp_token": "999999x"})
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert client.get(reverse("two-factor-verify")).status_code == 302


def test_turning_it_off_needs_a_current_code(world):
    owner = world.person(world.alpha, Role.OWNER)
    client = client_for(world.alpha, owner)
    _enrol(client, owner)
    assert b"not right" in client.post(PAGE, {"action": "disable", "otp_token": "000000x"}).content
    assert two_factor.two_factor_enabled(owner)
    device = _fresh(TOTPDevice.objects.get(user=owner, confirmed=True))
    assert client.post(PAGE, {"action": "disable", "otp_token": _code(device)}).status_code == 302
    assert not two_factor.two_factor_enabled(owner)


def test_the_admin_signs_in_through_the_portal(world):
    response = client_for(None).get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/admin/"


def test_staff_need_two_factor_for_the_admin_when_required(world, settings, password):
    settings.PORTAL_2FA_REQUIRED_FOR_STAFF = True
    staff = world.staff
    signed_in = client_for(None, staff)
    response = signed_in.get("/admin/")
    assert response.status_code == 302 and response["Location"] == PAGE
    assert signed_in.get("/staff/").status_code == 302
    _enrol(signed_in, staff)  # enrolling verifies this session
    assert signed_in.get("/admin/").status_code == 200
    device = TOTPDevice.objects.get(user=staff, confirmed=True)
    fresh = client_for(None)
    fresh.post(reverse("login"), {"username": staff.email, "password": password})
    fresh.post(reverse("two-factor-verify"), {"otp_token": _code(_fresh(device))})
    assert fresh.get("/admin/").status_code == 200
    assert b"Turn off" not in signed_in.get(PAGE).content, "staff cannot turn it off while it is required"


@pytest.mark.parametrize("role", [Role.MANAGER, Role.VIEWER])
def test_every_person_may_turn_it_on(world, role):
    person = world.person(world.alpha, role)
    assert len(_enrol(client_for(world.alpha, person), person)) == 10
