"""Webhooks: signed deliveries of partner events, retried with backoff, endpoints disabled when they keep failing.

Signature: header `X-Portal-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the secret>`,
as Stripe does, so receivers can reject replays older than a few minutes. See docs/api.md.
"""

import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import connection, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tenants.choices import Role
from tenants.models import Partner

from .models import WebhookDelivery, WebhookEndpoint

SIGNATURE_HEADER = "X-Portal-Signature"
TIMEOUT_S = 10
MAX_ATTEMPTS = 6  # 1 + 5 retries: 30 s, 1, 2, 4, 8 min
BACKOFF_BASE_S = 30
DISABLE_AFTER_FAILURES = 10  # consecutive failed deliveries (after their retries) before an endpoint is disabled


def sign(*, secret: str, body: bytes, timestamp: int) -> str:
    """The signature header value for a body sent at `timestamp`."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def signature_valid(*, secret: str, body: bytes, header: str, tolerance_s: int = 300) -> bool:
    """What a receiver does: recompute, compare in constant time, refuse stale timestamps."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - timestamp) > tolerance_s:
        return False
    expected = sign(secret=secret, body=body, timestamp=timestamp)
    return hmac.compare_digest(expected, f"t={timestamp},v1={parts.get('v1', '')}")


def url_check(url: str) -> None:
    """Refuse URLs that are not http(s) or that resolve to loopback, private, link-local or reserved addresses."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(_("Webhook URLs must be http:// or https:// with a host name."), code="scheme")
    if getattr(settings, "WEBHOOK_ALLOW_PRIVATE_ADDRESSES", False):
        return
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 443)}
    except socket.gaierror as error:
        raise ValidationError(
            _("The host %(host)s cannot be resolved.") % {"host": parts.hostname}, code="dns"
        ) from error
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if (
            ip.is_private
            or ip.is_loopback
            or ip.is_link_local
            or ip.is_reserved
            or ip.is_multicast
            or ip.is_unspecified
        ):
            raise ValidationError(
                _("Webhooks cannot be sent to internal addresses (%(ip)s).") % {"ip": ip}, code="internal_address"
            )


def _url_field_check(url: str) -> None:
    """`url_check`, its errors pinned on the `url` field."""
    try:
        url_check(url)
    except ValidationError as error:
        raise ValidationError({"url": error.error_list}) from error


def webhook_endpoint_create(*, partner, url: str, events: list[str], is_active: bool = True) -> WebhookEndpoint:
    """Register an endpoint (active unless told otherwise); its signing secret is generated here."""
    _url_field_check(url)
    return WebhookEndpoint.objects.create(
        partner=partner, url=url, events=events, is_active=is_active, secret=secrets.token_hex(32)
    )


def webhook_endpoint_update(*, endpoint: WebhookEndpoint, **changes) -> WebhookEndpoint:
    """Change an endpoint's URL, events or active flag; enabling it again starts its failure count afresh."""
    if changes.get("url"):
        _url_field_check(changes["url"])
    if changes.get("is_active") and not endpoint.is_active:
        changes.update(consecutive_failures=0, disabled_reason="")
    for field, value in changes.items():
        setattr(endpoint, field, value)
    endpoint.save(update_fields=list(changes))
    return endpoint


def webhook_endpoint_list(*, partner) -> "models.QuerySet[WebhookEndpoint]":
    """A partner's endpoints, oldest first."""
    return WebhookEndpoint.objects.filter(partner=partner).order_by("id")


def webhook_delivery_list(*, partner) -> "models.QuerySet[WebhookDelivery]":
    """Every delivery to the partner's endpoints, newest first."""
    return WebhookDelivery.objects.filter(endpoint__partner=partner).select_related("endpoint").order_by("-created_at")


def webhook_event_emit(*, partner, event: str, data: dict) -> list[WebhookDelivery]:
    """Queue a delivery of the event to each of the partner's active endpoints that subscribed to it."""
    endpoints = WebhookEndpoint.objects.filter(partner=partner, is_active=True, events__contains=[event])
    payload = {"event": event, "partner": partner.slug, "created": timezone.now().isoformat(), "data": data}
    deliveries = [
        WebhookDelivery.objects.create(endpoint=endpoint, event=event, payload=payload) for endpoint in endpoints
    ]
    for delivery in deliveries:
        _queue(delivery)
    return deliveries


def webhook_event_emit_here(*, event: str, data: dict) -> list[WebhookDelivery]:
    """Emit an event for the partner whose schema the connection is on (code that runs inside a partner schema)."""
    partner = Partner.objects.filter(schema_name=connection.schema_name).first()
    return webhook_event_emit(partner=partner, event=event, data=data) if partner is not None else []


def webhook_delivery_resend(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again by hand (a new attempt series)."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=WebhookDelivery.Status.PENDING, attempts=0)
    _queue(delivery)
    return delivery


def _queue(delivery: WebhookDelivery) -> None:
    from .tasks import webhook_deliver

    delivery_id = str(delivery.pk)
    transaction.on_commit(lambda: webhook_deliver.delay(delivery_id))


def delivery_attempt(*, delivery_id: str) -> float | None:
    """Try one delivery; return the seconds to wait before retrying, or None when it is finished."""
    delivery = WebhookDelivery.objects.select_related("endpoint__partner").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != WebhookDelivery.Status.PENDING:
        return None  # gone, or already delivered by an earlier run of this task
    endpoint = delivery.endpoint
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    status, text, error = None, "", ""
    try:
        url_check(endpoint.url)  # again at send time: DNS may have changed since registration
        request = urllib.request.Request(endpoint.url, data=body, method="POST")  # noqa: S310 - http(s) only
        request.add_header("Content-Type", "application/json")
        request.add_header("User-Agent", "AlliancePortal-Webhooks/1")
        request.add_header(SIGNATURE_HEADER, sign(secret=endpoint.secret, body=body, timestamp=int(time.time())))
        request.add_header("X-Portal-Event", delivery.event)
        request.add_header("X-Portal-Delivery", str(delivery.pk))
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310 - scheme checked above
            status, text = response.status, response.read(2000).decode(errors="replace")
    except urllib.error.HTTPError as failure:
        status, text = failure.code, failure.read(2000).decode(errors="replace")
    except (OSError, ValidationError) as failure:
        error = str(failure)[:500]
    delivered = status is not None and 200 <= status < 300
    attempts = delivery.attempts + 1
    finished = delivered or attempts >= MAX_ATTEMPTS
    new_status = (
        WebhookDelivery.Status.DELIVERED
        if delivered
        else (WebhookDelivery.Status.FAILED if finished else WebhookDelivery.Status.PENDING)
    )
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        attempts=attempts,
        status=new_status,
        response_status=status,
        response_body=text,
        error=error,
        last_attempt_at=timezone.now(),
    )
    if delivered:
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
    elif finished:
        _count_failure(endpoint)
    return None if finished else BACKOFF_BASE_S * 2 ** (attempts - 1)


def _count_failure(endpoint: WebhookEndpoint) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=F("consecutive_failures") + 1)
    endpoint.refresh_from_db()
    if endpoint.is_active and endpoint.consecutive_failures >= DISABLE_AFTER_FAILURES:
        reason = _("Disabled after %(count)d failed deliveries in a row.") % {"count": endpoint.consecutive_failures}
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=False, disabled_reason=reason)
        owners = endpoint.partner.memberships.filter(role__in=[Role.OWNER, Role.MANAGER]).values_list(
            "user__email", flat=True
        )
        send_mail(
            _("Webhook endpoint disabled: %(url)s") % {"url": endpoint.url},
            _("%(reason)s Fix the receiver, then enable the endpoint again and resend the failed deliveries.")
            % {"reason": reason},
            None,
            list(owners),
        )
