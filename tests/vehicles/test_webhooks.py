"""A vehicle's status change is announced to its partner's subscribed webhook endpoints only."""

from django_tenants.utils import schema_context

from portal.integrations.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from portal.vehicles.services import vehicles_export

from .factories import vehicle_make


def test_status_change_emits_vehicle_status_changed(world, django_capture_on_commit_callbacks):
    for partner in (world.alpha, world.beta):
        WebhookEndpoint.objects.create(
            partner=partner, url=f"https://{partner.slug}.example/h", events=[WebhookEvent.VEHICLE_STATUS_CHANGED]
        )
    vehicle = vehicle_make(world.alpha)
    with schema_context("alpha"), django_capture_on_commit_callbacks(execute=False):
        vehicles_export(vehicle_ids=[vehicle.pk], note="to Budapest")
    (delivery,) = WebhookDelivery.objects.filter(event=WebhookEvent.VEHICLE_STATUS_CHANGED)
    assert delivery.endpoint.partner == world.alpha
    assert delivery.payload["data"] == {"vin": vehicle.vin, "from": "produced", "to": "exported", "source": "web"}
