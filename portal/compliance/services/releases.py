"""Releasing and shipping: compliance officers' releases (audited, four-eyes on a restricted-party hit at or above
the block score), what may ship, and shipping itself."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.audit.choices import AuditAction
from portal.audit.services import audit_record
from portal.core.caller import person_of
from portal.inbox.choices import NoticeKind
from portal.inbox.services import notify_many
from portal.vehicles.choices import ChangeSource
from portal.vehicles.services import vehicles_export
from tenants.choices import Role
from tenants.models import Membership

from .. import selectors
from ..choices import ReleaseRequestStatus, ShipmentStatus, Trigger, Verdict
from ..models import ReleaseRequest, Shipment, ShipmentCheck, ShipmentOverride, ShipmentVehicle
from ..verdict import Code
from .checks import release_keys, shipment_check, verdict_event_emit
from .shipments import shipment_assert_open

MIN_OVERRIDE_REASON = 20


def officer_check(*, membership: Membership | None) -> None:
    """Only a compliance officer (a member with the flag) may release a shipment."""
    if membership is None or not membership.is_compliance_officer or not membership.has_role(Role.MEMBER):
        raise PermissionDenied(_("Only a compliance officer may override a verdict."))


def release_needs_second_officer(check: ShipmentCheck | None) -> bool:
    """A restricted-party screening hit at or above the block score: two different officers must release it."""
    if check is None:
        return False
    return any(
        item.get("code") == Code.SCREENING
        and float(item.get("params", {}).get("score", 0)) >= float(item.get("params", {}).get("block_score", 100))
        for item in check.reasons
    )


def _reason_clean(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < MIN_OVERRIDE_REASON:
        raise ValidationError(
            {"reason": _("Explain the override in at least %(count)d characters.") % {"count": MIN_OVERRIDE_REASON}}
        )
    return reason


def _releasable(shipment: Shipment) -> ShipmentCheck:
    shipment_assert_open(shipment=shipment)
    check = shipment.latest_check
    if check is None or check.verdict == Verdict.CLEARED:
        raise ValidationError(_("Only a blocked or needs-review verdict can be overridden."))
    if shipment.release_id is not None:
        raise ValidationError(_("This shipment is already released."))
    return check


def _locked(shipment: Shipment) -> Shipment:
    return Shipment.objects.select_for_update(of=("self",)).select_related("latest_check").get(pk=shipment.pk)


def _tell(*, shipment: Shipment, check: ShipmentCheck, actor, after_label, **who) -> None:
    """The inbox: "Shipment X: Blocked → Released" (or waiting for a second officer, declined) to those concerned."""
    notify_many(
        kind=NoticeKind.VERDICT,
        actor=actor,
        params={"reference": shipment.label, "before_label": Verdict(check.verdict).label, "after_label": after_label},
        url=selectors.page_path("compliance:shipment_detail", pk=shipment.pk),
        **who,
    )


def _override_create(
    *, shipment: Shipment, check: ShipmentCheck, reason: str, officer, approver=None, membership=None
) -> ShipmentOverride:
    override = ShipmentOverride.objects.create(
        shipment=shipment,
        check_run=check,
        verdict=check.verdict,
        reason_codes=release_keys(check),
        reason=reason,
        officer=officer,
        officer_email=officer.email,
        approved_by=approver,
        approved_by_email=approver.email if approver is not None else "",
    )
    Shipment.objects.filter(pk=shipment.pk).update(release=override, updated_at=timezone.now())
    ShipmentCheck.objects.filter(pk=check.pk).update(released=True)
    shipment.release = override
    _tell(
        shipment=shipment,
        check=check,
        actor=approver or officer,
        after_label=gettext_lazy("Released"),
        people=[shipment.created_by_id, officer.pk],
        minimum_role=Role.MANAGER,
        officers=True,
    )
    verdict_event_emit(
        shipment=shipment,
        check=check,
        overridden=True,
        officer=officer.email,
        **({"approved_by": approver.email} if approver is not None else {}),
    )
    audit_record(
        action=AuditAction.COMPLIANCE_OVERRIDE,
        actor=approver or officer,
        partner=membership.partner if membership is not None else None,
        target=shipment,
        details={
            "reason": reason,
            "verdict": check.verdict,
            "reasons": list(override.reason_codes),
            "officer": officer.email,
            **({"approved_by": approver.email} if approver is not None else {}),
        },
    )
    return override


@transaction.atomic
def shipment_release(
    *, shipment: Shipment, membership: Membership | None, user, reason: str
) -> ShipmentOverride | ReleaseRequest:
    """A compliance officer releases the latest blocked or needs-review check, with a written reason (audited).

    A restricted-party hit at or above the block score is not released at once: the officer's request waits for a
    second, different officer (`release_request_approve`). Returns the release, or the waiting request.
    """
    officer_check(membership=membership)
    shipment = _locked(shipment)
    check = _releasable(shipment)
    reason = _reason_clean(reason)
    if not release_needs_second_officer(check):
        return _override_create(shipment=shipment, check=check, reason=reason, officer=user, membership=membership)
    if shipment.release_requests.filter(status=ReleaseRequestStatus.PENDING).exists():
        raise ValidationError(_("A release of this shipment is already waiting for a second compliance officer."))
    request = ReleaseRequest.objects.create(
        shipment=shipment,
        check_run=check,
        verdict=check.verdict,
        reason_codes=release_keys(check),
        reason=reason,
        requested_by=user,
        requested_by_email=user.email,
    )
    _tell(shipment=shipment, check=check, actor=user, after_label=ReleaseRequestStatus.PENDING.label, officers=True)
    audit_record(
        action=AuditAction.COMPLIANCE_RELEASE_REQUESTED,
        actor=user,
        partner=membership.partner,
        target=shipment,
        details={"reason": reason, "verdict": check.verdict, "reasons": list(request.reason_codes)},
    )
    return request


def _pending(release_request: ReleaseRequest) -> ReleaseRequest:
    locked = ReleaseRequest.objects.select_for_update().get(pk=release_request.pk)
    if locked.status != ReleaseRequestStatus.PENDING:
        raise ValidationError(_("This release request was already decided."))
    return locked


@transaction.atomic
def release_request_approve(
    *, release_request: ReleaseRequest, membership: Membership | None, user
) -> ShipmentOverride:
    """A second compliance officer approves a waiting release request: the shipment is released (audited)."""
    officer_check(membership=membership)
    shipment = _locked(release_request.shipment)
    release_request = _pending(release_request)
    if release_request.requested_by_id == user.pk:
        raise PermissionDenied(_("You asked for this release: a second compliance officer must approve it."))
    check = _releasable(shipment)
    if not set(release_keys(check)) <= set(release_request.reason_codes):
        raise ValidationError(
            _("The shipment was checked again and has new reasons: the release must be requested again.")
        )
    override = _override_create(
        shipment=shipment,
        check=check,
        reason=release_request.reason,
        officer=release_request.requested_by,
        approver=user,
        membership=membership,
    )
    release_request.status = ReleaseRequestStatus.APPROVED
    release_request.decided_by, release_request.decided_by_email = user, user.email
    release_request.decided_at = timezone.now()
    release_request.override = override
    release_request.save(update_fields=["status", "decided_by", "decided_by_email", "decided_at", "override"])
    audit_record(
        action=AuditAction.COMPLIANCE_RELEASE_APPROVED,
        actor=user,
        partner=membership.partner,
        target=shipment,
        details={"requested_by": release_request.requested_by_email, "request": release_request.pk},
    )
    return override


@transaction.atomic
def release_request_decline(
    *, release_request: ReleaseRequest, membership: Membership | None, user, note: str = ""
) -> ReleaseRequest:
    """A compliance officer declines a waiting release request (its requester withdraws it); audited."""
    officer_check(membership=membership)
    release_request = _pending(release_request)
    own = release_request.requested_by_id == user.pk
    release_request.status = ReleaseRequestStatus.WITHDRAWN if own else ReleaseRequestStatus.DECLINED
    release_request.decided_by, release_request.decided_by_email = user, user.email
    release_request.decided_at = timezone.now()
    release_request.decision_note = (note or "").strip()[:4000]
    release_request.save(update_fields=["status", "decided_by", "decided_by_email", "decided_at", "decision_note"])
    _tell(
        shipment=release_request.shipment,
        check=release_request.check_run,
        actor=user,
        after_label=ReleaseRequestStatus(release_request.status).label,
        people=[release_request.requested_by_id],
    )
    audit_record(
        action=AuditAction.COMPLIANCE_RELEASE_DECLINED,
        actor=user,
        partner=membership.partner,
        target=release_request.shipment,
        details={
            "requested_by": release_request.requested_by_email,
            "request": release_request.pk,
            "status": release_request.status,
            "note": release_request.decision_note,
        },
    )
    return release_request


def shipment_may_ship(*, shipment: Shipment) -> bool:
    """Cleared, or its latest check released by compliance officers."""
    if shipment.status != ShipmentStatus.OPEN or shipment.latest_check_id is None or not shipment.vehicle_count:
        return False
    return shipment.verdict == Verdict.CLEARED or shipment.release_id is not None


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
