"""Celery jobs of the inbox: the daily digest, sent by beat to every active partner's schema."""

import datetime

from celery import shared_task
from django.db import connection
from django_tenants.utils import get_public_schema_name

from tenants.models import Partner

from .services import digest_send


@shared_task(acks_late=True, reject_on_worker_lost=True)
def inbox_digest(now: str | None = None) -> dict:
    """E-mail the day's notices to the people of this partner (the task's schema) who chose the digest. Idempotent."""
    partner = Partner.objects.filter(schema_name=connection.schema_name).first()
    if partner is None or partner.schema_name == get_public_schema_name():
        return {"sent": 0, "schema": connection.schema_name}
    moment = datetime.datetime.fromisoformat(now) if now else None
    return {"sent": digest_send(partner=partner, now=moment), "schema": connection.schema_name}
