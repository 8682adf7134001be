"""Signed, expiring passport links: a partner lets one person with a legitimate interest (or an authority) read
one battery's passport at that access group until a date, without an account.

The token names the battery's identifier, the access group, the expiry and a random link id, signed with the
project's secret key under its own salt (django.core.signing): changing any of them breaks the signature. The
expiry is checked against a `now` the caller passes (a seam for tests; the views pass timezone.now()).
"""

import datetime as dt
import secrets
from dataclasses import dataclass

from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import AccessGroup

SALT = "portal.batteries.passport-link"
# Groups a link can grant: the public group needs no link.
LINK_GROUPS = (AccessGroup.LEGITIMATE_INTEREST, AccessGroup.AUTHORITY)
MAX_DAYS = 366  # a link is a temporary permission; a standing one is an API key


class LinkRefusedError(Exception):
    """A token that does not open the passport; `reason` says why (tampered, expired, other battery)."""

    def __init__(self, reason: str, message):
        super().__init__(reason)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class LinkGrant:
    """What a valid link grants."""

    identifier: str
    group: str
    expires_at: dt.datetime
    link_id: str

    @property
    def label(self) -> str:
        """Who reads, for the audit trail: the link's id, never the token."""
        return f"passport link {self.link_id}"


def link_token(*, identifier: str, group: str, expires_at: dt.datetime, link_id: str | None = None) -> str:
    """A signed token for `identifier` at `group` until `expires_at` (UTC)."""
    if group not in LINK_GROUPS:
        raise ValueError(f"a link grants {LINK_GROUPS}, not {group!r}")
    payload = {
        "i": identifier,
        "g": group,
        "e": int(expires_at.timestamp()),
        "n": link_id or secrets.token_urlsafe(9),
    }
    return signing.dumps(payload, salt=SALT, compress=True)


def link_read(token: str, *, identifier: str, now: dt.datetime | None = None) -> LinkGrant:
    """The grant a token carries for this battery, or LinkRefusedError (tampered, expired or another battery's)."""
    try:
        payload = signing.loads(token, salt=SALT)
    except signing.BadSignature as error:
        raise LinkRefusedError("tampered", _("This passport link is not valid.")) from error
    try:
        grant = LinkGrant(
            identifier=str(payload["i"]),
            group=str(payload["g"]),
            expires_at=dt.datetime.fromtimestamp(int(payload["e"]), tz=dt.UTC),
            link_id=str(payload["n"]),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise LinkRefusedError("tampered", _("This passport link is not valid.")) from error
    if grant.group not in LINK_GROUPS:
        raise LinkRefusedError("tampered", _("This passport link is not valid."))
    if grant.identifier != identifier:
        raise LinkRefusedError("other_battery", _("This passport link is for another battery."))
    if grant.expires_at <= (now or timezone.now()):
        raise LinkRefusedError("expired", _("This passport link has expired; ask the battery's maker for a new one."))
    return grant
