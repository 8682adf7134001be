"""Celery jobs of export compliance: certificate expiry warnings, and re-checks when the rules or the list change.

Each runs in the partner schema it was sent to (beat sends it to every active partner) and only calls a service;
both services are idempotent (a warning is kept once sent; a re-check only touches shipments behind).
"""

from __future__ import annotations

import datetime
import logging

from celery import shared_task
from django.db import connection
from django.utils import timezone

from tenants.models import Partner

from .services.certificates import certificate_expiry_warnings_send
from .services.checks import shipments_recheck_behind

logger = logging.getLogger(__name__)


def _partner_here() -> Partner | None:
    return Partner.objects.filter(schema_name=connection.schema_name).first()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def certificate_expiry_warn(today: str | None = None) -> dict:
    """Warn the partner (in the schema the task runs in) about certificates that expire soon; each warning once."""
    partner = _partner_here()
    if partner is None:
        return {"sent": 0, "schema": connection.schema_name}
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    sent = certificate_expiry_warnings_send(partner=partner, today=day)
    return {"sent": sent, "schema": connection.schema_name}


@shared_task(acks_late=True, reject_on_worker_lost=True)
def shipments_recheck() -> dict:
    """Check again every open shipment of this partner whose latest check used older tables; tell the owners."""
    partner = _partner_here()
    if partner is None:
        return {"rechecked": 0, "schema": connection.schema_name}
    return {**shipments_recheck_behind(partner=partner), "schema": connection.schema_name}


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
