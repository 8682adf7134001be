"""Optional two-factor sign-in (TOTP, django-otp) with recovery codes: the writes, in one place.

A person turns it on by scanning a QR code (rendered here as SVG, no outside service) and confirming one code;
ten single-use recovery codes are shown once. Sign-in then asks for a code after the password. When
PORTAL_2FA_REQUIRED_FOR_STAFF is on, staff reach the admin and staff pages only with a verified session.
"""

import base64
import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django_otp import devices_for_user, match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.audit.choices import AuditAction
from portal.audit.services import audit_record

RECOVERY_CODES = 10


def two_factor_enabled(user) -> bool:
    """True when the person has a confirmed authenticator app."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def two_factor_begin(*, user) -> TOTPDevice:
    """A new, unconfirmed authenticator device (any earlier unconfirmed one is dropped)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def pending_device(*, user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The device's otpauth:// URI as an SVG QR code in a data: URI (allowed by the CSP's img-src)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def secret_for_typing(device: TOTPDevice) -> str:
    """The secret in base32, grouped by four, for people who type it instead of scanning."""
    text = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@transaction.atomic
def two_factor_confirm(*, user, token: str) -> list[str] | None:
    """Confirm the pending device with a code from the app; returns the new recovery codes, or None."""
    device = pending_device(user=user)
    if device is None or not device.verify_token(_clean(token)):
        audit_record(action=AuditAction.TWO_FACTOR_FAILED, actor=user, details={"step": "enrol"})
        return None
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = recovery_codes_new(user=user)
    audit_record(action=AuditAction.TWO_FACTOR_ENABLED, actor=user)
    return codes


def recovery_codes_new(*, user) -> list[str]:
    """Replace the person's recovery codes with RECOVERY_CODES new ones (shown once; stored as entered)."""
    device, _created = StaticDevice.objects.get_or_create(user=user, name="recovery", defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def two_factor_check(*, user, token: str):
    """The device that accepts the code (an app code, or a recovery code, which is then used up), or None."""
    device = match_token(user, _clean(token))
    if device is None:
        audit_record(action=AuditAction.TWO_FACTOR_FAILED, actor=user, details={"step": "sign-in"})
    elif isinstance(device, StaticDevice):
        audit_record(action=AuditAction.RECOVERY_CODE_USED, actor=user, details={"left": device.token_set.count()})
    return device


@transaction.atomic
def two_factor_disable(*, user, token: str) -> bool:
    """Turn two-factor sign-in off; needs a current code (or a recovery code)."""
    if match_token(user, _clean(token)) is None:
        audit_record(action=AuditAction.TWO_FACTOR_FAILED, actor=user, details={"step": "turn off"})
        return False
    for device in devices_for_user(user, confirmed=None):
        device.delete()
    audit_record(action=AuditAction.TWO_FACTOR_DISABLED, actor=user)
    return True


def two_factor_required(user) -> bool:
    """Staff must use two-factor sign-in for the admin and staff pages when the deployment says so."""
    return bool(user.is_authenticated and user.is_staff and settings.PORTAL_2FA_REQUIRED_FOR_STAFF)


def _clean(token: str) -> str:
    return "".join((token or "").split()).replace("-", "")[:32]
