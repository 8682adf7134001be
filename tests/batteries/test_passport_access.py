"""Legitimate-interest and authority access to a passport: API keys with passport scopes, signed links, the owning
partner's people; every attribute per reader, refusals, isolation and the audit trail."""

import datetime as dt
import secrets

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from portal.api.scopes import PASSPORT_AUTHORITY, PASSPORT_LEGITIMATE_INTEREST
from portal.audit.choices import AuditAction
from portal.audit.models import AuditEvent
from portal.batteries.access import may_read
from portal.batteries.choices import AccessGroup, Reader
from portal.batteries.links import LinkRefusedError, link_read, link_token
from portal.batteries.models import PassportLink
from portal.batteries.passport import attribute_list_forget
from portal.batteries.registry.models import PassportAttribute, PassportIndex
from portal.integrations.services import api_key_create
from tenants.choices import Role
from tenants.models import Partner
from tests.conftest import client_for

from .passport_data import REAL_VALUES, marked_values, passport_battery

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
COLUMNS = {
    "battery_passport_identifier",
    "battery_identifier",
    "battery_category",
    "battery_status",
    "battery_chemistry",
}
# Read from the latest reading (numbers, not markers): checked by their figures instead.
FROM_READING = {"state_of_certified_energy_soce", "number_of_full_charging_and_discharging_cycles", "energy_throughput"}


@pytest.fixture(autouse=True)
def _fresh_attribute_list():
    attribute_list_forget()
    yield
    attribute_list_forget()


@pytest.fixture
def battery(world):
    return passport_battery(world.beta, values=marked_values())


def _key(partner, scopes) -> str:
    _key_row, secret = api_key_create(partner=partner, name="passport reader", scopes=scopes)
    return secret


def _public_row() -> Partner:
    return Partner.objects.get(schema_name="public")


def _link(battery, group, *, days: int = 30, partner=None) -> str:
    """A link as the battery page issues it: its PassportLink row in the partner's schema, and the token."""
    expires_at = timezone.now() + dt.timedelta(days=days)
    with schema_context((partner or Partner.objects.get(pk=_partner_id(battery))).schema_name):
        issued = PassportLink.objects.create(
            link_id=secrets.token_urlsafe(9), battery=battery, group=group, issued_to="test", expires_at=expires_at
        )
    return link_token(identifier=battery.identifier, group=group, expires_at=expires_at, link_id=issued.link_id)


def _partner_id(battery) -> int:
    return PassportIndex.objects.get(identifier=battery.identifier).partner_id


def _shown_numbers(body: str) -> set[int]:
    return {number for number, marker in marked_values().items() if marker in body}


def _expected(battery, reader: str) -> set[int]:
    return {
        attribute.number
        for attribute in PassportAttribute.objects.all()
        if battery.category in attribute.categories
        and attribute.code not in COLUMNS | FROM_READING
        and may_read(reader, attribute)
    }


def _readers(world, battery):
    """reader name → (client, request kwargs, query, expected reader)."""
    return {
        "anonymous": (client_for(None), {}, "", Reader.PUBLIC),
        "legitimate-interest key": (
            client_for(None),
            {"HTTP_AUTHORIZATION": f"Api-Key {_key(world.beta, [PASSPORT_LEGITIMATE_INTEREST])}"},
            "",
            Reader.LEGITIMATE_INTEREST,
        ),
        "authority key (staff)": (
            client_for(None),
            {"HTTP_X_API_KEY": _key(_public_row(), [PASSPORT_AUTHORITY])},
            "",
            Reader.AUTHORITY,
        ),
        "legitimate-interest link": (
            client_for(None),
            {},
            f"?access={_link(battery, AccessGroup.LEGITIMATE_INTEREST)}",
            Reader.LEGITIMATE_INTEREST,
        ),
        "authority link": (client_for(None), {}, f"?access={_link(battery, AccessGroup.AUTHORITY)}", Reader.AUTHORITY),
        "owning partner": (client_for(None, world.person(world.beta, Role.VIEWER)), {}, "", Reader.OWNER),
        "another partner": (client_for(None, world.person(world.alpha, Role.OWNER)), {}, "", Reader.PUBLIC),
        "staff": (client_for(None, world.staff), {}, "", Reader.PUBLIC),
    }


@pytest.mark.parametrize(
    "who",
    [
        "anonymous",
        "legitimate-interest key",
        "authority key (staff)",
        "legitimate-interest link",
        "authority link",
        "owning partner",
        "another partner",
        "staff",
    ],
)
def test_every_attribute_per_reader_on_the_page(world, battery, who):
    client, headers, query, reader = _readers(world, battery)[who]
    response = client.get(f"/passport/{battery.identifier}/{query}", **headers)
    assert response.status_code == 200, response.content[:300]
    body = response.content.decode()
    shown = _shown_numbers(body)
    assert shown == _expected(battery, reader), (who, sorted(shown ^ _expected(battery, reader)))
    assert ("5400" in body) == (reader != Reader.PUBLIC)  # energy throughput, from the latest reading
    if reader == Reader.PUBLIC:
        assert "public" in response["Cache-Control"]
    else:
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


@pytest.mark.parametrize("who", ["anonymous", "legitimate-interest key", "authority key (staff)", "authority link"])
def test_json_ld_carries_the_readers_group(world, who):
    battery = passport_battery(world.beta, values=REAL_VALUES)
    client, headers, query, reader = _readers(world, battery)[who]
    joiner = "&" if query else "?"
    response = client.get(f"/passport/{battery.identifier}/{query}{joiner}format=jsonld", **headers)
    assert response.status_code == 200
    document = response.json()
    assert document["accessGroup"] == reader
    labels = document["aspects"]["Labels"]
    assert ("resultOfTestReport" in labels) == (reader == Reader.AUTHORITY)  # test reports: authorities only
    condition = document["aspects"]["Performance"].get("batteryCondition", {})
    assert ("energyThroughput" in condition) == (reader != Reader.PUBLIC)  # a reading: legitimate interest


def test_non_public_reads_are_audited_with_key_link_battery_and_group(world, battery):
    readers = _readers(world, battery)
    before = AuditEvent.objects.filter(action=AuditAction.PASSPORT_READ).count()
    client, headers, query, _reader = readers["anonymous"]
    client.get(f"/passport/{battery.identifier}/")
    assert AuditEvent.objects.filter(action=AuditAction.PASSPORT_READ).count() == before  # the public is not logged
    for who in ("legitimate-interest key", "authority key (staff)", "legitimate-interest link", "owning partner"):
        client, headers, query, reader = readers[who]
        client.get(f"/passport/{battery.identifier}/{query}", **headers)
        event = AuditEvent.objects.filter(action=AuditAction.PASSPORT_READ).latest("pk")
        assert event.partner == world.beta
        assert event.details["battery"] == battery.identifier
        assert event.details["group"] == reader
        assert event.actor_label  # the key's prefix, the link's id or the person
        assert "access=" not in event.path  # the token itself is never stored
    assert AuditEvent.objects.filter(action=AuditAction.PASSPORT_READ).count() == before + 4
    assert "link" in AuditEvent.objects.filter(details__via="link").latest("pk").actor_label


def test_another_partners_key_is_refused_and_reveals_nothing(world, battery):
    secret = _key(world.alpha, [PASSPORT_AUTHORITY])
    response = client_for(None).get(f"/passport/{battery.identifier}/", HTTP_AUTHORIZATION=f"Api-Key {secret}")
    assert response.status_code == 403
    assert not _shown_numbers(response.content.decode())
    response = client_for(None).get(
        f"/passport/{battery.identifier}/?format=jsonld", HTTP_AUTHORIZATION=f"Api-Key {secret}"
    )
    assert response.status_code == 403 and response.json()["errors"][0]["code"] == "other_partner"


def test_key_without_passport_scope_is_refused(world, battery):
    secret = _key(world.beta, ["batteries:read"])
    response = client_for(None).get(f"/passport/{battery.identifier}/", HTTP_X_API_KEY=secret)
    assert response.status_code == 403
    assert not _shown_numbers(response.content.decode()) - _expected(battery, Reader.PUBLIC)


def test_invalid_key_is_refused_not_read_as_public(world, battery):
    response = client_for(None).get(f"/passport/{battery.identifier}/?format=json", HTTP_X_API_KEY="abcdefgh.nope")
    assert response.status_code == 401
    assert "marker" not in response.content.decode()


@pytest.mark.parametrize("case", ["expired", "tampered", "other battery", "public group", "never issued"])
def test_bad_links_are_refused(world, battery, case):
    if case == "expired":
        token = link_token(
            identifier=battery.identifier, group=AccessGroup.AUTHORITY, expires_at=timezone.now() - dt.timedelta(1)
        )
    elif case == "tampered":
        token = _link(battery, AccessGroup.LEGITIMATE_INTEREST)
        token = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    elif case == "other battery":
        other = passport_battery(world.beta, values={}, reading=False)
        token = _link(other, AccessGroup.AUTHORITY)
    elif case == "never issued":  # signed with the key, but no manager issued it (or it was deleted)
        token = link_token(
            identifier=battery.identifier,
            group=AccessGroup.AUTHORITY,
            expires_at=timezone.now() + dt.timedelta(1),
            link_id="forged",
        )
    else:
        token = "not-a-token"
    response = client_for(None).get(f"/passport/{battery.identifier}/?access={token}")
    assert response.status_code == 403
    assert not _shown_numbers(response.content.decode())
    assert "no-store" in response["Cache-Control"]
    assert not AuditEvent.objects.filter(action=AuditAction.PASSPORT_READ, details__battery=battery.identifier).exists()


def test_link_expiry_uses_the_clock_it_is_given():
    token = link_token(identifier="LA-1", group=AccessGroup.AUTHORITY, expires_at=NOW + dt.timedelta(hours=1))
    assert link_read(token, identifier="LA-1", now=NOW).group == AccessGroup.AUTHORITY
    with pytest.raises(LinkRefusedError) as refused:
        link_read(token, identifier="LA-1", now=NOW + dt.timedelta(hours=2))
    assert refused.value.reason == "expired"
    with pytest.raises(LinkRefusedError) as refused:
        link_read(token, identifier="LA-2", now=NOW)
    assert refused.value.reason == "other_battery"
    with pytest.raises(ValueError):
        link_token(identifier="LA-1", group=AccessGroup.PUBLIC, expires_at=NOW)


def test_staff_issued_legitimate_interest_key_reads_every_partners_batteries(world):
    secret = _key(_public_row(), [PASSPORT_LEGITIMATE_INTEREST])
    for partner in (world.alpha, world.beta):
        battery = passport_battery(partner, values=marked_values(), reading=False)
        response = client_for(None).get(f"/passport/{battery.identifier}/", HTTP_X_API_KEY=secret)
        assert response.status_code == 200
        assert "marker-033-q7" in response.content.decode()
        assert "marker-018-q7" not in response.content.decode()


def test_reads_beyond_the_public_keep_a_small_query_budget(world, battery):
    """A key's read adds its own checks, the latest reading and the audit row: a fixed number, whatever the data."""
    from django.db import connection

    from tests.queries import RealQueries

    secret = _key(world.beta, [PASSPORT_LEGITIMATE_INTEREST])
    client = client_for(None)
    client.get(f"/passport/{battery.identifier}/", HTTP_X_API_KEY=secret)  # warm the attribute list
    with RealQueries(connection) as key_read:
        assert client.get(f"/passport/{battery.identifier}/", HTTP_X_API_KEY=secret).status_code == 200
    assert len(key_read) <= 12, key_read.sql()
    token = _link(battery, AccessGroup.AUTHORITY)
    with RealQueries(connection) as link_read_queries:
        assert client.get(f"/passport/{battery.identifier}/?access={token}").status_code == 200
    assert len(link_read_queries) <= 9, link_read_queries.sql()
