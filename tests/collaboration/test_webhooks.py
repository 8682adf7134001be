"""A stage change is announced by webhook to every participant that subscribed, and to nobody else."""

from portal.collaboration.choices import Stage
from portal.collaboration.services import project_transition
from portal.integrations.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from tenants.choices import Role

from .factories import project_for


def test_stage_change_emits_project_stage_changed(world, django_capture_on_commit_callbacks):
    project = project_for(world.alpha, partners=[world.beta])
    for partner in (world.alpha, world.beta):
        WebhookEndpoint.objects.create(
            partner=partner, url=f"https://{partner.slug}.example/h", events=[WebhookEvent.PROJECT_STAGE_CHANGED]
        )
    with django_capture_on_commit_callbacks(execute=False):
        project_transition(
            project=project,
            version=project.version,
            to_stage=Stage.NEGOTIATING,
            partner=world.alpha,
            role=Role.MANAGER,
            user=world.person(world.alpha, Role.MANAGER),
        )
    deliveries = WebhookDelivery.objects.filter(event=WebhookEvent.PROJECT_STAGE_CHANGED)
    assert {d.endpoint.partner.schema_name for d in deliveries} == {"alpha", "beta"}
    assert {d.payload["data"]["to"] for d in deliveries} == {Stage.NEGOTIATING}


def test_non_participants_get_no_delivery(world, django_capture_on_commit_callbacks):
    project = project_for(world.alpha)
    WebhookEndpoint.objects.create(
        partner=world.beta, url="https://beta.example/h", events=[WebhookEvent.PROJECT_STAGE_CHANGED]
    )
    with django_capture_on_commit_callbacks(execute=False):
        project_transition(
            project=project,
            version=project.version,
            to_stage=Stage.NEGOTIATING,
            partner=world.alpha,
            role=Role.OWNER,
            user=world.person(world.alpha, Role.OWNER),
        )
    assert not WebhookDelivery.objects.filter(endpoint__partner=world.beta).exists()
