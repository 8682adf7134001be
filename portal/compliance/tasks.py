"""Celery jobs of export compliance: certificate expiry warnings, and re-checks when the rules or the list change.

Both are idempotent: a warning is kept once sent (certificate × threshold × expiry date), and a re-check
only touches open shipments whose latest check used older table versions.
"""

from __future__ import annotations

import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.reference.versions import reference_versions, rules_version
from tenants.models import Partner
from tenants.selectors import partner_url

from . import selectors
from .choices import Trigger, Verdict
from .models import CertificateWarning
from .services import shipment_check

logger = logging.getLogger(__name__)
DEFAULT_WARNING_DAYS = [90, 30, 7]


def warning_days() -> list[int]:
    """How many days ahead expiry warnings go out (settings.COMPLIANCE_EXPIRY_WARNING_DAYS), largest first."""
    return sorted(
        {int(day) for day in getattr(settings, "COMPLIANCE_EXPIRY_WARNING_DAYS", DEFAULT_WARNING_DAYS)}, reverse=True
    )


def _partner_here() -> Partner | None:
    return Partner.objects.filter(schema_name=connection.schema_name).first()


def compliance_recipients(partner: Partner, *also) -> list[str]:
    """Owners, managers and compliance officers of the partner (and anyone named), each once."""
    people = partner.memberships.filter(user__is_active=True).select_related("user")
    emails = [m.user.email for m in people if m.role in ("owner", "manager") or m.is_compliance_officer]
    emails += [user.email for user in also if user is not None and getattr(user, "email", "")]
    return sorted(set(emails))


def _threshold(days_left: int) -> int | None:
    """The smallest warning threshold the certificate has reached (7 before 30 before 90)."""
    reached = [day for day in warning_days() if days_left <= day]
    return min(reached) if reached else None


@shared_task(acks_late=True, reject_on_worker_lost=True)
def certificate_expiry_warn(today: str | None = None) -> dict:
    """Warn the partner (in the schema the task runs in) about certificates that expire soon; each warning once."""
    partner = _partner_here()
    if partner is None:
        return {"sent": 0, "schema": connection.schema_name}
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    sent = 0
    for certificate in selectors.certificates_expiring(within_days=max(warning_days()), today=day):
        threshold = _threshold((certificate.valid_to - day).days)
        if threshold is None:
            continue
        try:
            with transaction.atomic():
                warning = CertificateWarning.objects.create(
                    certificate=certificate, days_before=threshold, valid_to=certificate.valid_to
                )
                recipients = compliance_recipients(partner)
                models = ", ".join(model.name for model in certificate.vehicle_models.all())
                send_mail(
                    _("Certificate %(number)s expires on %(date)s")
                    % {
                        "number": certificate.number,
                        "date": certificate.valid_to.isoformat(),
                    },
                    _(
                        "The %(type)s %(number)s (%(models)s) of %(partner)s expires on %(date)s, in %(days)d days. "
                        "Shipments that arrive later will be blocked until it is renewed.\n\n%(url)s"
                    )
                    % {
                        "type": certificate.certificate_type.name,
                        "number": certificate.number,
                        "models": models,
                        "partner": partner.name,
                        "date": certificate.valid_to.isoformat(),
                        "days": (certificate.valid_to - day).days,
                        "url": partner_url(partner, f"/compliance/certificates/{certificate.pk}/edit/"),
                    },
                    None,
                    recipients,
                )
                warning.recipients = len(recipients)
                warning.save(update_fields=["recipients"])
        except IntegrityError:
            continue  # already warned at this threshold (a rerun, or two workers at once)
        sent += 1
    return {"sent": sent, "schema": connection.schema_name}


@shared_task(acks_late=True, reject_on_worker_lost=True)
def shipments_recheck() -> dict:
    """Check again every open shipment of this partner whose latest check used older tables; tell the owners."""
    partner = _partner_here()
    if partner is None:
        return {"rechecked": 0, "schema": connection.schema_name}
    versions = reference_versions()
    behind = selectors.open_shipments_behind(
        rules_version=rules_version(versions), screening_version=versions["screening"]
    ).select_related("created_by")
    changed = []
    count = 0
    for shipment in behind.iterator(chunk_size=200):
        before = shipment.verdict
        check = shipment_check(shipment=shipment, trigger=Trigger.RECHECK)
        count += 1
        if check.verdict != before:
            changed.append((shipment, before, check.verdict))
            send_mail(
                _("Shipment %(reference)s is now: %(verdict)s")
                % {
                    "reference": shipment.label,
                    "verdict": Verdict(check.verdict).label,
                },
                _(
                    "The alliance changed its export rules or screening list, and shipment %(reference)s to "
                    "%(destination)s was checked again: %(before)s → %(after)s.\n\n%(url)s"
                )
                % {
                    "reference": shipment.label,
                    "destination": shipment.destination.name,
                    "before": Verdict(before).label if before else "—",
                    "after": Verdict(check.verdict).label,
                    "url": partner_url(partner, f"/compliance/shipments/{shipment.pk}/"),
                },
                None,
                compliance_recipients(partner, shipment.created_by),
            )
    return {"rechecked": count, "changed": len(changed), "schema": connection.schema_name}


@shared_task
def shipments_recheck_all() -> int:
    """Fan out: queue `shipments_recheck` in every active partner's schema (run it from public)."""
    partners = Partner.objects.members().active().values_list("schema_name", flat=True)
    queued = 0
    for schema_name in partners:
        shipments_recheck.apply_async(headers={"_schema_name": schema_name})
        queued += 1
    return queued


def reference_changed_receiver(sender=None, kind: str = "", **kwargs) -> None:
    """The rule tables or the screening list changed (sent after the commit): re-check open shipments."""
    logger.info("reference tables changed (%s): re-checking open shipments", kind)
    shipments_recheck_all.delay()
