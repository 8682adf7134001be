"""The public passport of one battery: who reads it (public, legitimate interest, authority, the owner) and what
they see, found from the identifier alone (the public host's PassportIndex, then the partner's schema).

The page and the JSON-LD of `portal.batteries.public` are thin shells around `passport_read`, which the bench
times too.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import tenant_context
from rest_framework.exceptions import APIException
from rest_framework.request import Request

from portal.api.scopes import PASSPORT_AUTHORITY, PASSPORT_LEGITIMATE_INTEREST
from portal.audit.choices import AuditAction
from portal.audit.services import audit_record
from portal.integrations.authentication import KEYWORD, ApiKeyAuthentication
from tenants.models import Membership

from . import jsonld
from .access import may_read
from .choices import AccessGroup, Reader
from .links import LinkRefusedError, link_read
from .models import Battery, PassportLink
from .qr import passport_url
from .registry.models import PassportAttribute, PassportIndex
from .selectors import READING_VALUES, PassportEntry, attribute_value, battery_latest_reading

ATTRIBUTES_TTL = 300  # seconds: the attribute list changes with a migration or the loader command, not per request
_attributes: tuple[float, list[PassportAttribute]] = (0.0, [])

# A key's scope → the reader it makes; the strongest scope wins.
KEY_READERS = ((PASSPORT_AUTHORITY, Reader.AUTHORITY), (PASSPORT_LEGITIMATE_INTEREST, Reader.LEGITIMATE_INTEREST))


class PassportRefusedError(Exception):
    """A key or link was sent but does not open this passport: `status` 401, 403 or 429, `code`, `message`."""

    def __init__(self, *, status: int, code: str, message):
        super().__init__(code)
        self.status, self.code, self.message = status, code, message


@dataclass
class Visitor:
    """Who reads: the reader (access level), a label for the audit trail, and the key or link behind it."""

    reader: str = Reader.PUBLIC
    label: str = ""
    actor: Any = None
    via: str = ""  # "key", "link", "member" or ""
    link_id: str = ""


@dataclass
class Passport:
    """What one visitor sees of one battery."""

    identifier: str
    url: str
    battery: Battery
    visitor: Visitor
    entries: list = field(default_factory=list)  # selectors.PassportEntry, only attributes the reader may see
    measured_at: Any = None

    @property
    def sections(self) -> list[tuple[str, list]]:
        """The entries grouped by aspect, in the list's order."""
        groups: dict[str, list] = {}
        for entry in self.entries:
            groups.setdefault(entry.attribute.aspect, []).append(entry)
        return list(groups.items())

    def document(self) -> dict:
        """The JSON-LD document: one payload per aspect, only the attributes this reader may see."""
        values = {entry.attribute.number: entry.value for entry in self.entries if entry.value is not None}
        for number in (9, 11):  # the schema's enumerations for category and status
            if number in values:
                values[number] = _enumerated(number, values[number])
        updated = {
            entry.attribute.number: self.measured_at
            for entry in self.entries
            if entry.attribute.code in READING_VALUES and self.measured_at is not None
        }
        payloads = jsonld.aspect_payloads(values, updated=updated)
        group = {Reader.OWNER: AccessGroup.AUTHORITY}.get(self.visitor.reader, self.visitor.reader)
        return jsonld.passport_document(url=self.url, identifier=self.identifier, group=group, payloads=payloads)


CATEGORY_ENUM = {"EV": "ev", "LMT": "lmt", "industrial": "industrial"}


def _enumerated(number: int, value):
    if number == 9:
        return CATEGORY_ENUM.get(str(value), str(value).lower())
    return str(value).capitalize()  # original → Original (the schema's enumeration)


def attribute_list() -> list[PassportAttribute]:
    """Every attribute of the list, kept in the process for a few minutes (the page reads it on every call)."""
    global _attributes
    loaded_at, attributes = _attributes
    now = time.monotonic()
    if not attributes or now - loaded_at > ATTRIBUTES_TTL:
        attributes = list(PassportAttribute.objects.order_by("number"))
        _attributes = (now, attributes)
    return attributes


def attribute_list_forget() -> None:
    """Forget the kept attribute list (after loading a new one; tests)."""
    global _attributes
    _attributes = (0.0, [])


def passport_index_get(identifier: str) -> PassportIndex | None:
    """The index entry of an identifier with its partner (one query on the unique index), None if unknown."""
    return PassportIndex.objects.select_related("partner").filter(identifier=identifier).first()


def _key_visitor(request, partner) -> Visitor | None:
    """The visitor an API key makes, None without a key; PassportRefusedError for a bad, foreign or unscoped key."""
    if not request.META.get("HTTP_AUTHORIZATION", "").startswith(f"{KEYWORD} ") and not request.META.get(
        "HTTP_X_API_KEY"
    ):
        return None
    host_tenant = getattr(request, "tenant", None)
    try:
        result = ApiKeyAuthentication().authenticate(Request(request))
    except APIException as error:
        raise PassportRefusedError(status=error.status_code, code=error.get_codes(), message=error.detail) from error
    finally:
        # The authentication switches to the key's partner; the public page stays on the public host.
        request.tenant = host_tenant
        connection.set_schema_to_public()
    principal, key = result
    reader = next((reader for scope, reader in KEY_READERS if scope in key.scopes), None)
    if reader is None:
        raise PassportRefusedError(status=403, code="scope", message=_("This API key has no battery passport scope."))
    # A partner's key reads its own batteries; a key of the public row (issued by staff) reads every partner's.
    if not key.partner.is_public and key.partner_id != partner.pk:
        message = _("This API key is for another partner's batteries.")
        raise PassportRefusedError(status=403, code="other_partner", message=message)
    return Visitor(reader=reader, label=f"API key {key.prefix}", actor=principal, via="key")


def _link_visitor(request, identifier: str, now) -> Visitor | None:
    token = request.GET.get("access")
    if not token:
        return None
    try:
        grant = link_read(token, identifier=identifier, now=now)
    except LinkRefusedError as refused:
        raise PassportRefusedError(status=403, code=f"link_{refused.reason}", message=refused.message) from refused
    return Visitor(reader=grant.group, label=grant.label, actor=grant.label, via="link", link_id=grant.link_id)


def link_is_live(link_id: str, *, battery: Battery) -> bool:
    """True when the link was issued for this battery and is not revoked (read in the partner's schema)."""
    return PassportLink.objects.filter(link_id=link_id, battery=battery, revoked_at__isnull=True).exists()


def _member_visitor(request, partner) -> Visitor | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    if not Membership.objects.filter(user=user, partner=partner).exists():
        return None
    return Visitor(reader=Reader.OWNER, label=user.email, actor=user, via="member")


def visitor_of(request, *, partner, identifier: str, now=None) -> Visitor:
    """Who reads this partner's passport: an API key, else a signed link, else a member of the partner, else
    the public. A key or link that was sent but is not good is refused (PassportRefusedError), never read as public."""
    return (
        _key_visitor(request, partner)
        or _link_visitor(request, identifier, now)
        or _member_visitor(request, partner)
        or Visitor()
    )


def passport_read(request, *, identifier: str, now=None) -> Passport | None:
    """The passport of `identifier` as the request's visitor sees it; None when no battery has this identifier.

    One indexed lookup in the public schema, then the partner's schema: the battery with its model, and its
    latest reading only when the visitor may see dynamic data. A read beyond the public group is audited.
    """
    index = passport_index_get(identifier.strip().upper())
    if index is None or not index.partner.is_active:
        return None
    visitor = visitor_of(request, partner=index.partner, identifier=identifier, now=now)
    attributes = [attribute for attribute in attribute_list() if may_read(visitor.reader, attribute)]
    with tenant_context(index.partner):
        battery = Battery.objects.select_related("battery_model").filter(pk=index.battery_id).first()
        if battery is None:
            return None
        if visitor.via == "link" and not link_is_live(visitor.link_id, battery=battery):
            message = _("This passport link was revoked; ask the battery's maker for a new one.")
            raise PassportRefusedError(status=403, code="link_revoked", message=message)
        dynamic = any(attribute.code in READING_VALUES for attribute in attributes)
        reading = battery_latest_reading(battery=battery) if dynamic else None
        entries = [
            PassportEntry(attribute, attribute_value(attribute, battery=battery, reading=reading))
            for attribute in attributes
            if battery.category in attribute.categories
        ]
    passport = Passport(
        identifier=battery.identifier,
        url=passport_url(battery.identifier),
        battery=battery,
        visitor=visitor,
        entries=entries,
        measured_at=reading.measured_at if reading is not None else None,
    )
    if visitor.reader != Reader.PUBLIC:  # every read beyond the public group, the owner's people's too
        audit_record(
            action=AuditAction.PASSPORT_READ,
            actor=visitor.actor,
            partner=index.partner,
            target=None,
            details={
                "battery": battery.identifier,
                "battery_id": battery.pk,
                "group": visitor.reader,
                "via": visitor.via,
                "reader": visitor.label,
            },
            request=request,
        )
    return passport
