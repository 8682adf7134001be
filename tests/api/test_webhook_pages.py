"""The webhook page: owners and managers register (secret shown once), disable, enable, delete and resend."""

from unittest import mock

import pytest
from django.urls import reverse

from portal.integrations.models import WebhookDelivery, WebhookEndpoint
from tenants.choices import Role

from ..conftest import ROLES, client_for

PAGE = "/settings/webhooks/"
PUBLIC_URL = "https://erp.alpha.example/portal-events"


@pytest.fixture
def public_dns():
    """Every host resolves to a public address (no network in tests)."""
    with mock.patch("socket.getaddrinfo", return_value=[(2, 1, 6, "", ("93.184.216.34", 443))]):
        yield


def _endpoint(partner, **fields) -> WebhookEndpoint:
    values = {"url": PUBLIC_URL, "events": ["import.finished"], "secret": "s" * 64, **fields}
    return WebhookEndpoint.objects.create(partner=partner, **values)


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(world, role, public_dns):
    allowed = role in (Role.OWNER, Role.MANAGER)
    client = client_for(world.alpha, world.person(world.alpha, role))
    assert client.get(PAGE).status_code == (200 if allowed else 403)
    response = client.post(PAGE, {"url": PUBLIC_URL, "events": ["import.finished"]})
    assert response.status_code == (200 if allowed else 403)
    assert WebhookEndpoint.objects.filter(partner=world.alpha).count() == (1 if allowed else 0)


def test_secret_is_shown_once(world, public_dns):
    client = client_for(world.alpha, world.person(world.alpha, Role.MANAGER))
    created = client.post(PAGE, {"url": PUBLIC_URL, "events": ["vehicle.status_changed", "import.finished"]})
    endpoint = WebhookEndpoint.objects.get(partner=world.alpha)
    assert created.context["secret"] == endpoint.secret
    assert endpoint.secret.encode() in created.content
    assert endpoint.secret.encode() not in client.get(PAGE).content
    assert endpoint.events == ["vehicle.status_changed", "import.finished"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"url": "http://127.0.0.1/hook", "events": ["import.finished"]}, "url"),
        ({"url": "ftp://erp.example/hook", "events": ["import.finished"]}, "url"),
        ({"url": PUBLIC_URL, "events": []}, "events"),
        ({"url": PUBLIC_URL, "events": ["vehicle.exploded"]}, "events"),
    ],
)
def test_bad_input_is_explained_and_creates_nothing(world, data, field):
    client = client_for(world.alpha, world.person(world.alpha, Role.OWNER))
    response = client.post(PAGE, data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not WebhookEndpoint.objects.exists()


def test_disable_enable_and_delete(world):
    endpoint = _endpoint(world.alpha, is_active=False, consecutive_failures=10, disabled_reason="Disabled after 10")
    client = client_for(world.alpha, world.person(world.alpha, Role.OWNER))
    client.post(reverse("integrations:webhook-toggle", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert (endpoint.is_active, endpoint.consecutive_failures, endpoint.disabled_reason) == (True, 0, "")
    client.post(reverse("integrations:webhook-toggle", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.is_active is False
    assert client.post(reverse("integrations:webhook-delete", args=[endpoint.pk])).status_code == 302
    assert not WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()


def test_resend_queues_the_delivery_again(world, django_capture_on_commit_callbacks):
    endpoint = _endpoint(world.alpha)
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event="import.finished", payload={}, attempts=6)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=WebhookDelivery.Status.FAILED)
    client = client_for(world.alpha, world.person(world.alpha, Role.MANAGER))
    with (
        mock.patch("portal.integrations.tasks.webhook_deliver.delay") as deliver,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(reverse("integrations:webhook-delivery-resend", args=[delivery.pk]))
    assert response.status_code == 302
    deliver.assert_called_once_with(str(delivery.pk))
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (WebhookDelivery.Status.PENDING, 0)


def test_another_partners_endpoints_and_deliveries_are_out_of_reach(world):
    theirs = _endpoint(world.beta, url="https://erp.beta.example/secret-receiver")
    delivery = WebhookDelivery.objects.create(endpoint=theirs, event="import.finished", payload={})
    client = client_for(world.alpha, world.person(world.alpha, Role.OWNER))
    assert b"secret-receiver" not in client.get(PAGE).content
    assert client.post(reverse("integrations:webhook-toggle", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("integrations:webhook-delete", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("integrations:webhook-delivery-resend", args=[delivery.pk])).status_code == 404
    theirs.refresh_from_db()
    delivery.refresh_from_db()
    assert theirs.is_active and delivery.status == WebhookDelivery.Status.PENDING


def test_page_query_count_does_not_grow_with_deliveries(world):
    from ..queries import assert_same_queries, query_budget

    endpoint = _endpoint(world.alpha)
    client = client_for(world.alpha, world.person(world.alpha, Role.OWNER))
    WebhookDelivery.objects.create(endpoint=endpoint, event="import.finished", payload={})
    client.get(PAGE)  # steady state: after a first request the host's partner comes from the shared cache
    with query_budget(30) as few:
        client.get(PAGE)
    for _ in range(10):
        WebhookDelivery.objects.create(endpoint=endpoint, event="import.finished", payload={})
    with query_budget(30) as many:
        client.get(PAGE)
    assert_same_queries(few, many, PAGE)
