"""False positives of restricted-party screening: an officer marks a hit "not the listed party" with a reason; the
pair (list entry, consignee) is not raised again until either changes; audited and revocable."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit.choices import AuditAction
from portal.audit.services import audit_record
from portal.reference.versions import reference_versions
from tenants.models import Membership

from ..choices import ShipmentStatus, Trigger
from ..models import ScreeningDismissal, Shipment
from ..screening import consignee_fingerprint, entry_fingerprint, index_get
from ..verdict import Code
from .checks import shipment_check
from .releases import officer_check

MIN_DISMISSAL_REASON = 20


def _recheck_consignee(*, fingerprint: str, user) -> None:
    """Check again the open shipments to this consignee, so their verdicts follow the dismissal at once."""
    for shipment in Shipment.objects.filter(status=ShipmentStatus.OPEN).order_by("pk"):
        if consignee_fingerprint(shipment.consignee_name, str(shipment.consignee_country)) == fingerprint:
            shipment_check(shipment=shipment, user=user, trigger=Trigger.MANUAL)


def screening_hit_dismiss(
    *, shipment: Shipment, entry_id: int, reason: str, user, membership: Membership | None
) -> ScreeningDismissal:
    """Mark the latest check's screening hit on `entry_id` as not the listed party (compliance officers)."""
    officer_check(membership=membership)
    reason = (reason or "").strip()
    if len(reason) < MIN_DISMISSAL_REASON:
        raise ValidationError(
            {
                "reason": _("Explain why it is not the listed party in at least %(count)d characters.")
                % {"count": MIN_DISMISSAL_REASON}
            }
        )
    check = shipment.latest_check
    raised = check is not None and any(
        item.get("code") == Code.SCREENING and item.get("key") == f"party:{entry_id}" for item in check.reasons
    )
    entry = index_get(version=reference_versions()["screening"]).entry(entry_id) if raised else None
    if entry is None:
        raise ValidationError(_("The latest check raised no screening hit on that list entry."))
    consignee = consignee_fingerprint(shipment.consignee_name, str(shipment.consignee_country))
    fingerprint = entry_fingerprint(entry)
    with transaction.atomic():
        if ScreeningDismissal.objects.filter(
            entry_id=entry.id, entry_fingerprint=fingerprint, consignee_fingerprint=consignee, revoked_at__isnull=True
        ).exists():
            raise ValidationError(_("This hit is already dismissed for this consignee."))
        dismissal = ScreeningDismissal.objects.create(
            entry_id=entry.id,
            entry_name=entry.name,
            entry_fingerprint=fingerprint,
            consignee_name=shipment.consignee_name,
            consignee_country=shipment.consignee_country,
            consignee_fingerprint=consignee,
            reason=reason,
            shipment=shipment,
            dismissed_by=user,
            dismissed_by_email=user.email,
        )
        audit_record(
            action=AuditAction.COMPLIANCE_SCREENING_DISMISSED,
            actor=user,
            partner=membership.partner,
            target=shipment,
            details={"dismissal": dismissal.pk, "entry_id": entry.id, "entry": entry.name, "reason": reason},
        )
        _recheck_consignee(fingerprint=consignee, user=user)
    return dismissal


def screening_dismissal_revoke(
    *, dismissal: ScreeningDismissal, user, membership: Membership | None
) -> ScreeningDismissal:
    """Take a dismissal back (compliance officers): the hit is raised again from the next check, done at once."""
    officer_check(membership=membership)
    if dismissal.revoked_at is not None:
        raise ValidationError(_("This dismissal is already revoked."))
    with transaction.atomic():
        dismissal.revoked_at = timezone.now()
        dismissal.revoked_by = user
        dismissal.revoked_by_email = user.email
        dismissal.save(update_fields=["revoked_at", "revoked_by", "revoked_by_email"])
        audit_record(
            action=AuditAction.COMPLIANCE_SCREENING_DISMISSAL_REVOKED,
            actor=user,
            partner=membership.partner,
            target=dismissal,
            details={"dismissal": dismissal.pk, "entry_id": dismissal.entry_id, "entry": dismissal.entry_name},
        )
        _recheck_consignee(fingerprint=dismissal.consignee_fingerprint, user=user)
    return dismissal
