"""One sign-in across workspaces: a hand-off token carries a signed-in person from one host to another, once,
briefly, only into a workspace they belong to, with their two-factor state; signing out ends every host's session."""

import datetime
import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts import handoff as handoffs
from portal.accounts.models import HandoffRedemption
from portal.audit.choices import AuditAction
from portal.audit.models import AuditEvent
from tenants.choices import Role
from tenants.models import Membership, Partner

from ..conftest import client_for, host_of

START, REDEEM = "/accounts/workspace/", "/accounts/handoff/"


@pytest.fixture
def traveller(world):
    """alpha's owner, also a member of beta."""
    owner = world.person(world.alpha, Role.OWNER)
    Membership.objects.create(user=owner, partner=world.beta, role=Role.MEMBER)
    return owner


def _token(location: str) -> str:
    return parse_qs(urlsplit(location).query)["token"][0]


def _start(client, to: str, **extra):
    """The link to the other host that the source's page follows (a link: a form may not redirect elsewhere)."""
    response = client.post(START, {"to": to, **extra})
    assert response.status_code == 200, response
    return html.unescape(re.search(r'href="([^"]+)" data-handoff-go', response.content.decode()).group(1))


def _refusals(why: str) -> int:
    return AuditEvent.objects.filter(action=AuditAction.HANDOFF_REFUSED, details__why=why).count()


def test_a_member_opens_another_workspace_without_a_password(world, traveller):
    alpha = client_for(world.alpha, traveller)
    location = _start(alpha, "beta", next="/vehicles/")
    parts = urlsplit(location)
    assert parts.hostname == "beta.localhost" and parts.path == REDEEM
    beta = client_for(world.beta)
    page = beta.get(f"{REDEEM}?{parts.query}")
    assert page.status_code == 200 and b"data-handoff" in page.content
    assert "_auth_user_id" not in beta.session, "a GET signs nobody in"
    done = beta.post(REDEEM, {"token": _token(location)})
    assert done.status_code == 302 and done["Location"] == "/vehicles/"
    assert beta.get("/").status_code == 200
    assert beta.session["_auth_user_id"] == str(traveller.pk)
    assert beta.session.session_key != alpha.session.session_key, "each host keeps a session of its own"
    assert beta.session["_portal_session_host"] == host_of(world.beta)
    assert AuditEvent.objects.filter(action=AuditAction.HANDOFF, actor=traveller, partner=world.beta).exists()


def test_a_token_works_once(world, traveller):
    token = _token(_start(client_for(world.alpha, traveller), "beta"))
    assert client_for(world.beta).post(REDEEM, {"token": token}).status_code == 302
    again = client_for(world.beta)
    refused = again.post(REDEEM, {"token": token})
    assert refused.status_code == 302 and refused["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in again.session
    assert _refusals("used") == 1
    assert HandoffRedemption.objects.count() == 1


def test_an_expired_token_is_refused(world, traveller):
    made = timezone.now() - datetime.timedelta(seconds=handoffs.HANDOFF_VALID_S + 1)
    url = handoffs.handoff_create(user=traveller, device=None, target=world.beta, now=made)
    client = client_for(world.beta)
    client.post(REDEEM, {"token": _token(url)})
    assert "_auth_user_id" not in client.session and _refusals("expired") == 1
    # One second earlier it was still good: the limit is the token's, not the machine's clock.
    fresh = handoffs.handoff_create(user=traveller, device=None, target=world.beta, now=made)
    redeemed = handoffs.handoff_redeem(
        token=_token(fresh), here=world.beta, host=host_of(world.beta), now=made + datetime.timedelta(seconds=59)
    )
    assert redeemed.user == traveller


def test_no_token_for_a_workspace_one_does_not_belong_to(world):
    owner = world.person(world.alpha, Role.OWNER)  # not a member of beta here
    client = client_for(world.alpha, owner)
    refused = client.post(START, {"to": "beta"})
    assert refused.status_code == 302 and "beta.localhost" not in refused["Location"]
    assert _refusals("not_member") == 1
    assert client.post(START, {"to": ""}).status_code == 302, "the public host is for staff"
    assert client.post(START, {"to": "no-such-partner"}).status_code == 302
    assert _refusals("not_member") == 3


def test_a_token_stops_working_when_membership_ends_or_on_another_host(world, traveller):
    url = handoffs.handoff_create(user=traveller, device=None, target=world.beta)
    alpha = client_for(world.alpha)
    alpha.post(REDEEM, {"token": _token(url)})
    assert "_auth_user_id" not in alpha.session and _refusals("other_host") == 1
    Membership.objects.filter(user=traveller, partner=world.beta).delete()
    beta = client_for(world.beta)
    beta.post(REDEEM, {"token": _token(url)})
    assert "_auth_user_id" not in beta.session and _refusals("not_member") == 1


def test_a_forged_or_mangled_token_is_refused(world, traveller):
    url = handoffs.handoff_create(user=traveller, device=None, target=world.beta)
    client = client_for(world.beta)
    for token in [_token(url)[:-2] + "xx", "nonsense", ""]:
        client.post(REDEEM, {"token": token})
        assert "_auth_user_id" not in client.session
    assert client.get(REDEEM).status_code == 302, "no token: the sign-in page"


def test_the_verified_second_factor_travels_and_an_unverified_session_does_not(world, traveller):
    device = TOTPDevice.objects.create(user=traveller, name="authenticator", confirmed=True)
    url = handoffs.handoff_create(user=traveller, device=device, target=world.beta)
    beta = client_for(world.beta)
    beta.post(REDEEM, {"token": _token(url)})
    assert beta.session["otp_device_id"] == device.persistent_id
    unverified = client_for(world.alpha, traveller)  # signed in without the code step (force_login)
    refused = unverified.post(START, {"to": "beta"})
    assert refused.status_code == 302 and "beta.localhost" not in refused["Location"]
    assert _refusals("not_verified") == 1


def test_staff_hand_off_to_the_public_host(world):
    staff = world.staff
    Membership.objects.create(user=staff, partner=world.alpha, role=Role.VIEWER)
    location = _start(client_for(world.alpha, staff), "")
    assert urlsplit(location).hostname == "localhost"
    public = client_for(None)
    public.post(REDEEM, {"token": _token(location)})
    assert public.get("/staff/").status_code == 200


def test_signing_out_ends_every_session_and_every_outstanding_token(world, traveller, password):
    alpha = client_for(world.alpha)
    alpha.post("/accounts/login/", {"username": traveller.email, "password": password})
    beta = client_for(world.beta)
    beta.post(REDEEM, {"token": _token(_start(alpha, "beta"))})
    left_over = _token(_start(alpha, "beta"))
    assert beta.get("/").status_code == 200 and alpha.get("/").status_code == 200
    alpha_key = alpha.session.session_key
    assert beta.post("/accounts/logout/").status_code == 302
    assert alpha.get("/").status_code == 302, "alpha's session ended too"
    assert not Session.objects.filter(session_key=alpha_key).exists(), "and is gone, not just refused once"
    assert beta.get("/").status_code == 302
    late = client_for(world.beta)
    late.post(REDEEM, {"token": left_over})
    assert "_auth_user_id" not in late.session and _refusals("signed_out") == 1
    assert AuditEvent.objects.filter(action=AuditAction.SIGNED_OUT_EVERYWHERE, actor=traveller).count() == 1


def test_an_idle_timeout_on_one_host_does_not_sign_out_the_others(world, traveller, password, settings):
    """Only signing out ends every session: a session that expires ends alone."""
    from portal.accounts import sessions

    alpha = client_for(world.alpha)
    alpha.post("/accounts/login/", {"username": traveller.email, "password": password})
    beta = client_for(world.beta)
    beta.post(REDEEM, {"token": _token(_start(alpha, "beta"))})
    session = alpha.session
    session[sessions.SEEN] -= settings.SESSION_IDLE_TIMEOUT + 5
    session.save()
    assert alpha.get("/").status_code == 302
    assert beta.get("/").status_code == 200


def test_the_workspaces_menu_posts_to_the_hand_off(world, traveller):
    page = client_for(world.alpha, traveller).get("/").content.decode()
    menu = page[page.index('data-testid="workspaces"') :]
    menu = menu[: menu.index("</ul>")]
    assert 'action="/accounts/workspace/"' in menu and 'name="to" value="beta"' in menu
    assert 'aria-current="page"' in menu, "the current workspace is marked, not handed off to"
    assert Partner.objects.get(schema_name="beta").name in menu


def test_from_the_public_host_into_a_workspace_and_a_get_uses_nothing_up(world):
    owner = world.person(world.alpha, Role.OWNER)
    location = _start(client_for(None, owner), "alpha")
    alpha = client_for(world.alpha)
    for _look in range(2):
        assert alpha.get(location.split("localhost:8000", 1)[-1]).status_code == 200
    assert HandoffRedemption.objects.count() == 0, "a GET writes nothing"
    alpha.post(REDEEM, {"token": _token(location)})
    assert alpha.get("/").status_code == 200
