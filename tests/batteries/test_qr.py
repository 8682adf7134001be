"""QR codes of battery passports (segno), QR sheets, and the passport-link page on partner hosts."""

import re

import pytest
from django.test import override_settings

from portal.audit.choices import AuditAction
from portal.audit.models import AuditEvent
from portal.batteries import qr
from portal.batteries.choices import AccessGroup
from portal.batteries.links import link_read
from tenants.choices import Role
from tests.conftest import client_for

from .factories import battery_make

pytestmark = pytest.mark.django_db


@override_settings(PORTAL_DOMAIN="alliance.example", PORTAL_SCHEME="https", PORTAL_PORT="8000")
def test_public_url_comes_from_settings_with_https_and_no_port():
    assert qr.passport_url("LA0123-1/2") == "https://alliance.example/passport/LA0123-1%2F2/"


@override_settings(PORTAL_DOMAIN="localhost", PORTAL_SCHEME="http", PORTAL_PORT="8000")
def test_development_url_keeps_its_port():
    assert qr.passport_url("X1") == "http://localhost:8000/passport/X1/"


def test_svg_and_png_encode_the_passport_url():
    svg = qr.qr_svg("LA0123-00000001").decode()
    assert svg.startswith("<?xml") and "<svg" in svg and "<path" in svg
    png = qr.qr_png("LA0123-00000001")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    code = qr.qr_make("LA0123-00000001")
    assert code.error == "M" and not code.is_micro


def test_sheet_prints_every_identifier_under_its_code_and_pages_by_24():
    identifiers = [f"LA0123-{n:08d}" for n in range(30)]
    svg = b"".join(qr.qr_sheet_svg(iter(identifiers), count=len(identifiers))).decode()
    assert svg.count("<path") == 30
    assert all(f">{identifier}</text>" in svg for identifier in identifiers)
    assert f'height="{2 * qr.PAGE_HEIGHT}mm"' in svg  # 30 labels: two A4 pages
    # labels of the second page sit below the first page
    y = [float(match) for match in re.findall(r'<text x="[\d.]+" y="([\d.]+)"', svg)]
    assert max(y[:24]) < qr.PAGE_HEIGHT < min(y[24:])


def test_sheet_escapes_identifiers():
    svg = b"".join(qr.qr_sheet_svg(["A<B&C"], count=1)).decode()
    assert "A&lt;B&amp;C" in svg and "A<B" not in svg


def test_battery_qr_pages_for_members_only(world):
    battery = battery_make(world.beta)
    member = client_for(world.beta, world.person(world.beta, Role.VIEWER))
    response = member.get(f"/batteries/{battery.identifier}/qr.svg")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    response = member.get(f"/batteries/{battery.identifier}/qr.png")
    assert response.status_code == 200 and response.content.startswith(b"\x89PNG")
    # another partner's people, on their own host or on this one, get nothing
    other = client_for(world.alpha, world.person(world.alpha, Role.OWNER))
    assert other.get(f"/batteries/{battery.identifier}/qr.svg").status_code == 404
    outsider = client_for(world.beta, world.person(world.alpha, Role.OWNER))
    assert outsider.get(f"/batteries/{battery.identifier}/qr.svg").status_code == 403


def test_qr_sheet_follows_the_list_filters(world):
    lmt = battery_make(world.beta, identifier="QRSHEET-LMT-1")
    member = client_for(world.beta, world.person(world.beta, Role.VIEWER))
    response = member.get("/batteries/qr-sheet.svg?identifier=QRSHEET-LMT")
    assert response.status_code == 200 and response.streaming
    svg = b"".join(response.streaming_content).decode()
    assert f">{lmt.identifier}</text>" in svg
    assert svg.count("<path") == 1


def test_qr_sheet_refuses_more_than_its_limit(world, monkeypatch):
    monkeypatch.setattr("portal.batteries.passport_views.SHEET_LIMIT", 1)
    battery_make(world.beta, identifier="QRLIMIT-1")
    battery_make(world.beta, identifier="QRLIMIT-2")
    member = client_for(world.beta, world.person(world.beta, Role.VIEWER))
    response = member.get("/batteries/qr-sheet.svg?identifier=QRLIMIT")
    assert response.status_code == 302 and "identifier=QRLIMIT" in response["Location"]


def test_managers_issue_links_that_open_the_passport_and_are_audited(world):
    battery = battery_make(world.beta)
    manager = client_for(world.beta, world.person(world.beta, Role.MANAGER))
    response = manager.post(
        f"/batteries/{battery.identifier}/passport-link/",
        {"group": AccessGroup.AUTHORITY, "days": 7, "reader": "Market surveillance HU"},
    )
    assert response.status_code == 200
    url = re.search(r'value="([^"]+access=[^"]+)"', response.content.decode()).group(1)
    token = url.split("access=")[1]
    grant = link_read(token, identifier=battery.identifier)
    assert grant.group == AccessGroup.AUTHORITY
    event = AuditEvent.objects.filter(action=AuditAction.PASSPORT_LINK_ISSUED).latest("pk")
    assert event.partner == world.beta and event.details["group"] == AccessGroup.AUTHORITY
    assert event.details["link"] == grant.link_id and token not in str(event.details)
    public = client_for(None).get(f"/passport/{battery.identifier}/?access={token}")
    assert public.status_code == 200


@pytest.mark.parametrize("role", [Role.MEMBER, Role.VIEWER])
def test_members_below_manager_cannot_issue_links(world, role):
    battery = battery_make(world.beta)
    before = AuditEvent.objects.filter(action=AuditAction.PASSPORT_LINK_ISSUED).count()
    client = client_for(world.beta, world.person(world.beta, role))
    response = client.post(
        f"/batteries/{battery.identifier}/passport-link/", {"group": AccessGroup.AUTHORITY, "days": 7, "reader": "x"}
    )
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action=AuditAction.PASSPORT_LINK_ISSUED).count() == before


def test_another_partner_cannot_issue_links_to_this_battery(world):
    battery = battery_make(world.beta)
    other = client_for(world.alpha, world.person(world.alpha, Role.OWNER))
    response = other.post(
        f"/batteries/{battery.identifier}/passport-link/", {"group": AccessGroup.AUTHORITY, "days": 7, "reader": "x"}
    )
    assert response.status_code == 404


def test_link_form_rejects_a_public_link_and_too_long_a_validity(world):
    battery = battery_make(world.beta)
    manager = client_for(world.beta, world.person(world.beta, Role.MANAGER))
    response = manager.post(
        f"/batteries/{battery.identifier}/passport-link/", {"group": "public", "days": 9999, "reader": "x"}
    )
    assert response.status_code == 200
    assert "access=" not in response.content.decode()
    assert set(response.context["form"].errors) == {"group", "days"}


def test_detail_page_shows_the_qr_code_and_the_public_url(world):
    battery = battery_make(world.beta)
    manager = client_for(world.beta, world.person(world.beta, Role.MANAGER))
    body = manager.get(f"/batteries/{battery.identifier}/").content.decode()
    assert f"/batteries/{battery.identifier}/qr.svg" in body
    assert f"/passport/{battery.identifier}/" in body
    assert f"/batteries/{battery.identifier}/passport-link/" in body
    viewer = client_for(world.beta, world.person(world.beta, Role.VIEWER))
    assert "/passport-link/" not in viewer.get(f"/batteries/{battery.identifier}/").content.decode()


def _issue(client, battery, group=AccessGroup.LEGITIMATE_INTEREST) -> str:
    response = client.post(
        f"/batteries/{battery.identifier}/passport-link/", {"group": group, "days": 7, "reader": "Recycler Kft."}
    )
    return re.search(r'value="([^"]+access=[^"]+)"', response.content.decode()).group(1).split("access=")[1]


def test_a_revoked_link_no_longer_opens_the_passport(world):
    battery = battery_make(world.beta)
    manager = client_for(world.beta, world.person(world.beta, Role.MANAGER))
    token = _issue(manager, battery)
    assert client_for(None).get(f"/passport/{battery.identifier}/?access={token}").status_code == 200
    grant = link_read(token, identifier=battery.identifier)
    page = manager.get(f"/batteries/{battery.identifier}/passport-link/").content.decode()
    assert "Recycler Kft." in page and token not in page  # listed, never shown again
    response = manager.post(f"/batteries/{battery.identifier}/passport-link/{grant.link_id}/revoke/")
    assert response.status_code == 302
    refused = client_for(None).get(f"/passport/{battery.identifier}/?access={token}&format=json")
    assert refused.status_code == 403 and refused.json()["errors"][0]["code"] == "link_revoked"
    event = AuditEvent.objects.filter(action=AuditAction.PASSPORT_LINK_REVOKED).latest("pk")
    assert event.details["link"] == grant.link_id and event.partner == world.beta


def test_only_managers_of_the_partner_revoke_links(world):
    battery = battery_make(world.beta)
    token = _issue(client_for(world.beta, world.person(world.beta, Role.OWNER)), battery)
    link_id = link_read(token, identifier=battery.identifier).link_id
    path = f"/batteries/{battery.identifier}/passport-link/{link_id}/revoke/"
    assert client_for(world.beta, world.person(world.beta, Role.MEMBER)).post(path).status_code == 403
    assert client_for(world.alpha, world.person(world.alpha, Role.OWNER)).post(path).status_code == 404
    assert client_for(None).get(f"/passport/{battery.identifier}/?access={token}").status_code == 200
