"""One sign-in across workspaces: a signed, single-use, short-lived hand-off token from one host to another.

Sessions stay bound to the host they were opened on (portal.accounts.sessions); to open another workspace, the
source host signs a token naming the person, the target workspace, the session's verified second factor and the
person's session generation. The target host redeems it once (its id is stored) within HANDOFF_VALID_S and opens
a session of its own. Only a member of the target partner (or alliance staff, for the public host) gets one.
"""

import datetime
import uuid
from dataclasses import dataclass

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_tenants.utils import get_public_schema_name

from portal.audit.choices import AuditAction
from portal.audit.services import audit_record
from tenants.models import Membership, Partner, User
from tenants.selectors import partner_url

from .models import HandoffRedemption
from .two_factor import two_factor_enabled

HANDOFF_SALT = "portal.accounts.handoff"
HANDOFF_VALID_S = 60


@dataclass(frozen=True)
class Handoff:
    """A redeemed token: whom to sign in, with which verified device, and where to go."""

    user: User
    device: Device | None
    next_path: str


def _may_enter(user: User, target: Partner) -> bool:
    if target.is_public:
        return user.is_staff
    return Membership.objects.filter(user=user, partner=target, partner__is_active=True).exists()


def _refused(user, target, reason: str, message: str) -> ValidationError:
    audit_record(
        action=AuditAction.HANDOFF_REFUSED,
        actor=user,
        details={"to": target.schema_name if target else "", "why": reason},
    )
    return ValidationError(message, code=reason)


def handoff_target(slug: str) -> Partner | None:
    """The workspace a hand-off names: a partner's subdomain label, or "" for the public host."""
    schema = (slug or "").strip().lower().replace("-", "_") or get_public_schema_name()
    return Partner.objects.filter(schema_name=schema).prefetch_related("domains").first()


def handoff_create(*, user: User, device: Device | None, target: Partner | None, next_path: str = "/", now=None) -> str:
    """The URL on the target host that redeems a fresh token for `user`; ValidationError when not allowed there.

    `device` is the session's verified second factor (None when not verified): a person who uses two-factor
    sign-in hands off only a verified session, and the target session is verified with the same device.
    """
    now = now or timezone.now()
    if target is None or not _may_enter(user, target):
        raise _refused(user, target, "not_member", _("You are not a member of that workspace."))
    if device is None and two_factor_enabled(user):
        raise _refused(user, target, "not_verified", _("Sign in again with your code to open another workspace."))
    if not next_path.startswith("/") or next_path.startswith("//"):
        next_path = "/"
    payload = {
        "u": user.pk,
        "t": target.schema_name,
        "j": uuid.uuid4().hex,
        "g": user.session_generation,
        "d": device.persistent_id if device is not None else "",
        "n": next_path,
        "x": int(now.timestamp()) + HANDOFF_VALID_S,
    }
    token = signing.dumps(payload, salt=HANDOFF_SALT, compress=True)
    return partner_url(target, reverse("handoff") + "?" + urlencode({"token": token}))


def handoff_redeem(*, token: str, here: Partner, host: str, now=None) -> Handoff:
    """Check a token on the host it names and use it up; ValidationError (code says why) when it cannot be used."""
    now = now or timezone.now()
    try:
        data = signing.loads(token or "", salt=HANDOFF_SALT)
        user_pk, target, token_id, generation = data["u"], data["t"], str(data["j"])[:32], data["g"]
        expires = datetime.datetime.fromtimestamp(int(data["x"]), tz=datetime.UTC)
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise _refused(None, here, "invalid", _("This link is not valid. Sign in here instead.")) from None
    user = User.objects.filter(pk=user_pk, is_active=True).first()
    if target != here.schema_name:
        raise _refused(user, here, "other_host", _("This link is for another workspace."))
    if now > expires:
        raise _refused(user, here, "expired", _("This link has expired. Open the workspace again from the menu."))
    if user is None or user.session_generation != generation:
        raise _refused(user, here, "signed_out", _("You have signed out since. Sign in here instead."))
    if not _may_enter(user, here):
        raise _refused(user, here, "not_member", _("You are not a member of that workspace."))
    try:
        with transaction.atomic():
            HandoffRedemption.objects.create(token_id=token_id, user=user, redeemed_at=now)
    except IntegrityError:
        raise _refused(user, here, "used", _("This link has already been used. Open the workspace again.")) from None
    # Ids older than a token's life can never be presented again: keep the table small.
    HandoffRedemption.objects.filter(redeemed_at__lt=now - datetime.timedelta(seconds=HANDOFF_VALID_S * 2)).delete()
    device = Device.from_persistent_id(str(data.get("d"))) if data.get("d") else None
    if device is not None and (device.user_id != user.pk or not device.confirmed):
        device = None
    if device is None and two_factor_enabled(user):
        raise _refused(user, here, "not_verified", _("Sign in again with your code to open another workspace."))
    next_path = data.get("n") or "/"
    if not url_has_allowed_host_and_scheme(next_path, allowed_hosts={host}):
        next_path = "/"
    return Handoff(user=user, device=device, next_path=next_path)
