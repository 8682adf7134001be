"""Webhooks: address rules, signatures, retries with backoff, disabling, resending, and who may manage them."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from portal.integrations import webhooks
from portal.integrations.models import WebhookDelivery, WebhookEndpoint
from portal.integrations.services import api_key_create
from portal.integrations.webhooks import (
    delivery_attempt,
    sign,
    signature_valid,
    url_check,
    webhook_endpoint_create,
    webhook_event_emit,
)
from tenants.choices import Role

from ..conftest import ROLES, client_for


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/hook",
        "file:///etc/passwd",
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://0.0.0.0/hook",
    ],
)
def test_internal_or_non_http_urls_are_refused(url):
    with pytest.raises(ValidationError):
        url_check(url)


def test_public_addresses_are_accepted_and_staff_may_allow_internal_ones(settings):
    url_check("https://93.184.216.34/hook")
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    url_check("http://127.0.0.1:9000/hook")


def test_signature_round_trip_and_tampering():
    body = b'{"event":"import.finished"}'
    header = sign(secret="s3cret", body=body, timestamp=int(__import__("time").time()))
    assert signature_valid(secret="s3cret", body=body, header=header)
    assert not signature_valid(secret="s3cret", body=body + b" ", header=header)
    assert not signature_valid(secret="other", body=body, header=header)
    assert not signature_valid(secret="s3cret", body=body, header="t=1,v1=" + header.split("v1=")[1])


class Receiver:
    """A real HTTP receiver on loopback that answers with the given statuses, in order."""

    def __init__(self, statuses):
        self.statuses = list(statuses)
        self.requests = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else b"nope")

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()


@pytest.fixture
def loopback_allowed(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True


def _emit(world, url, django_capture_on_commit_callbacks):
    endpoint = webhook_endpoint_create(partner=world.alpha, url=url, events=["import.finished"])
    with django_capture_on_commit_callbacks(execute=False) as queued:
        (delivery,) = webhook_event_emit(partner=world.alpha, event="import.finished", data={"job": "42"})
    assert len(queued) == 1  # sent to Celery only after commit
    return endpoint, delivery


def test_delivery_is_signed_and_recorded(world, loopback_allowed, django_capture_on_commit_callbacks):
    with Receiver([200]) as receiver:
        endpoint, delivery = _emit(world, receiver.url, django_capture_on_commit_callbacks)
        assert delivery_attempt(delivery_id=str(delivery.pk)) is None
    headers, body = receiver.requests[0]
    assert signature_valid(secret=endpoint.secret, body=body, header=headers["X-Portal-Signature"])
    assert json.loads(body)["data"] == {"job": "42"}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("delivered", 1, 200)


def test_failures_retry_with_exponential_backoff_then_fail(world, loopback_allowed, django_capture_on_commit_callbacks):
    with Receiver([500] * webhooks.MAX_ATTEMPTS) as receiver:
        _endpoint, delivery = _emit(world, receiver.url, django_capture_on_commit_callbacks)
        waits = [delivery_attempt(delivery_id=str(delivery.pk)) for _ in range(webhooks.MAX_ATTEMPTS)]
    assert waits == [30, 60, 120, 240, 480, None]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("failed", 6, 500)
    assert delivery.response_body == "nope"


def test_endpoint_that_keeps_failing_is_disabled_with_a_notice(
    world, loopback_allowed, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(webhooks, "MAX_ATTEMPTS", 1)
    monkeypatch.setattr(webhooks, "DISABLE_AFTER_FAILURES", 2)
    with Receiver([503, 503]) as receiver:
        endpoint, first = _emit(world, receiver.url, django_capture_on_commit_callbacks)
        delivery_attempt(delivery_id=str(first.pk))
        with django_capture_on_commit_callbacks(execute=False):
            (second,) = webhook_event_emit(partner=world.alpha, event="import.finished", data={})
        delivery_attempt(delivery_id=str(second.pk))
    endpoint.refresh_from_db()
    assert endpoint.is_active is False
    assert "2 failed deliveries" in endpoint.disabled_reason
    assert "owner@alpha.example.com" in mail.outbox[-1].to
    with django_capture_on_commit_callbacks(execute=False):
        assert webhook_event_emit(partner=world.alpha, event="import.finished", data={}) == []


def test_delivered_delivery_is_not_sent_twice(world, loopback_allowed, django_capture_on_commit_callbacks):
    with Receiver([200, 200]) as receiver:
        _endpoint, delivery = _emit(world, receiver.url, django_capture_on_commit_callbacks)
        delivery_attempt(delivery_id=str(delivery.pk))
        delivery_attempt(delivery_id=str(delivery.pk))  # a redelivered task
    assert len(receiver.requests) == 1


def test_events_go_only_to_subscribed_endpoints_of_the_partner(world, django_capture_on_commit_callbacks):
    WebhookEndpoint.objects.create(partner=world.alpha, url="https://a.example/h", events=["vehicle.status_changed"])
    WebhookEndpoint.objects.create(partner=world.beta, url="https://b.example/h", events=["import.finished"])
    with django_capture_on_commit_callbacks(execute=False):
        assert webhook_event_emit(partner=world.alpha, event="import.finished", data={}) == []


@pytest.mark.parametrize("role", ROLES)
def test_api_role_matrix_and_secret_shown_once(world, role):
    allowed = role in (Role.OWNER, Role.MANAGER)
    client = client_for(world.alpha, world.person(world.alpha, role))
    before = WebhookEndpoint.objects.count()
    response = client.post(
        "/api/v1/webhooks/",
        {"url": "https://93.184.216.34/hook", "events": ["import.finished"]},
        content_type="application/json",
    )
    assert response.status_code == (201 if allowed else 403)
    assert WebhookEndpoint.objects.count() == before + (1 if allowed else 0)
    if allowed:
        assert len(response.json()["secret"]) == 64
        assert "secret" not in client.get("/api/v1/webhooks/").json()["results"][0]


def test_api_refuses_internal_urls_and_creates_nothing(world):
    client = client_for(world.alpha, world.person(world.alpha, Role.OWNER))
    response = client.post(
        "/api/v1/webhooks/",
        {"url": "http://169.254.169.254/", "events": ["import.finished"]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "url"
    assert not WebhookEndpoint.objects.filter(url__contains="169.254").exists()


def test_api_keys_cannot_manage_webhooks(world):
    _key, raw = api_key_create(partner=world.alpha, name="erp", scopes=["vehicles:write"])
    response = client_for(world.alpha).get("/api/v1/webhooks/", HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert response.status_code == 403


def test_resend_by_hand(world, django_capture_on_commit_callbacks):
    endpoint = WebhookEndpoint.objects.create(
        partner=world.alpha, url="https://a.example/h", events=["import.finished"]
    )
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event="import.finished", payload={}, status="failed", attempts=6
    )
    client = client_for(world.alpha, world.person(world.alpha, Role.MANAGER))
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(f"/api/v1/webhook-deliveries/{delivery.pk}/resend/")
    assert response.status_code == 202
    assert response.json()["status"] == "pending"
    assert len(queued) == 1
