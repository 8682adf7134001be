"""Releasing and shipping: compliance officers' overrides (audited), what may ship, and shipping itself."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit.choices import AuditAction
from portal.audit.services import audit_record
from portal.core.caller import person_of
from portal.vehicles.choices import ChangeSource
from portal.vehicles.services import vehicles_export
from tenants.choices import Role
from tenants.models import Membership

from .. import selectors
from ..choices import ShipmentStatus, Trigger, Verdict
from ..models import Shipment, ShipmentOverride, ShipmentVehicle
from .checks import release_keys, shipment_check, verdict_event_emit
from .shipments import shipment_assert_open

MIN_OVERRIDE_REASON = 20


def officer_check(*, membership: Membership | None) -> None:
    """Only a compliance officer (a member with the flag) may release a shipment."""
    if membership is None or not membership.is_compliance_officer or not membership.has_role(Role.MEMBER):
        raise PermissionDenied(_("Only a compliance officer may override a verdict."))


@transaction.atomic
def shipment_override(*, shipment: Shipment, membership: Membership | None, user, reason: str) -> ShipmentOverride:
    """A compliance officer releases the latest blocked or needs-review check, with a written reason (audited)."""
    officer_check(membership=membership)
    shipment = Shipment.objects.select_for_update(of=("self",)).select_related("latest_check").get(pk=shipment.pk)
    shipment_assert_open(shipment=shipment)
    reason = (reason or "").strip()
    if len(reason) < MIN_OVERRIDE_REASON:
        raise ValidationError(
            {"reason": _("Explain the override in at least %(count)d characters.") % {"count": MIN_OVERRIDE_REASON}}
        )
    check = shipment.latest_check
    if check is None or check.verdict == Verdict.CLEARED:
        raise ValidationError(_("Only a blocked or needs-review verdict can be overridden."))
    override = ShipmentOverride.objects.create(
        shipment=shipment,
        check_run=check,
        verdict=check.verdict,
        reason_codes=release_keys(check),
        reason=reason,
        officer=user,
        officer_email=user.email,
    )
    verdict_event_emit(shipment=shipment, check=check, overridden=True, officer=user.email)
    audit_record(
        action=AuditAction.COMPLIANCE_OVERRIDE,
        actor=user,
        partner=membership.partner if membership is not None else None,
        target=shipment,
        details={"reason": reason, "verdict": check.verdict, "reasons": list(override.reason_codes)},
    )
    return override


def shipment_may_ship(*, shipment: Shipment) -> bool:
    """Cleared, or its latest check released by a compliance officer."""
    if shipment.status != ShipmentStatus.OPEN or shipment.latest_check_id is None or not shipment.vehicle_count:
        return False
    if shipment.verdict == Verdict.CLEARED:
        return True
    return selectors.shipment_override_current(shipment=shipment) is not None


def shipment_ship(*, shipment: Shipment, user=None, source: str = ChangeSource.WEB, today=None) -> Shipment:
    """Mark the shipment shipped: checked once more now (kept), then its vehicles become exported (vehicle services)."""
    shipment_assert_open(shipment=shipment)
    trigger = Trigger.API if source == ChangeSource.API else Trigger.MANUAL
    shipment_check(shipment=shipment, user=user, trigger=trigger, today=today)
    with transaction.atomic():
        return _ship(Shipment.objects.select_for_update().get(pk=shipment.pk), user=user, source=source)


def _ship(shipment: Shipment, *, user, source: str) -> Shipment:
    shipment_assert_open(shipment=shipment)
    if not shipment_may_ship(shipment=shipment):
        raise ValidationError(_("Only a cleared shipment, or one a compliance officer released, can be shipped."))
    vehicle_ids = list(ShipmentVehicle.objects.filter(shipment=shipment).values_list("vehicle_id", flat=True))
    vehicles_export(
        vehicle_ids=vehicle_ids,
        user=person_of(user),
        source=source,
        note=_("Shipped on %(reference)s to %(country)s")
        % {"reference": shipment.label, "country": shipment.destination},
    )
    shipment.status = ShipmentStatus.SHIPPED
    shipment.shipped_at = timezone.now()
    shipment.shipped_by = person_of(user)
    shipment.save(update_fields=["status", "shipped_at", "shipped_by", "updated_at"])
    return shipment
