"""The partner home page: its own vehicles, imports, projects and invitations, nothing of another partner."""

from django.core.files.base import ContentFile
from django_tenants.utils import schema_context

from portal.collaboration.choices import Stage
from portal.vehicles.models import ImportJob
from tenants.choices import Role

from ..collaboration.factories import invite, project_for
from ..conftest import client_for
from ..queries import assert_same_queries, query_budget
from ..vehicles.factories import vehicle_make


def _import_job(partner, name: str) -> ImportJob:
    with schema_context(partner.schema_name):
        job = ImportJob(original_name=name, size_bytes=3, market="CN")
        job.file.save("home.csv", ContentFile(b"vin"), save=False)
        job.save()
        return job


def test_home_shows_the_partners_own_vehicles_imports_projects_and_invitations(world):
    vehicle_make(world.alpha)
    vehicle_make(world.alpha)
    _import_job(world.alpha, "alpha-week-47.csv")
    project_for(world.alpha, title="Alpha swap pack", stage=Stage.SIGNED)
    invite(project_for(world.beta, title="Beta invites alpha"), world.alpha)
    response = client_for(world.alpha, world.person(world.alpha, Role.VIEWER)).get("/")
    assert response.status_code == 200
    assert response.context["vehicle_count"] == 2
    assert [job.original_name for job in response.context["imports"]] == ["alpha-week-47.csv"]
    assert {column["stage"]: column["count"] for column in response.context["stages"]} == {Stage.SIGNED: 1}
    assert [invitation.project.title for invitation in response.context["invitations"]] == ["Beta invites alpha"]
    assert "Beta invites alpha" in response.content.decode()


def test_home_shows_nothing_of_another_partner(world):
    vehicle_make(world.beta)
    _import_job(world.beta, "beta-secret-import.csv")
    project_for(world.beta, title="Beta private project", stage=Stage.DOCKED)
    response = client_for(world.alpha, world.person(world.alpha, Role.OWNER)).get("/")
    body = response.content.decode()
    assert response.context["vehicle_count"] == 0
    assert "beta-secret-import.csv" not in body and "Beta private project" not in body
    assert list(response.context["stages"]) == []


def test_home_query_count_does_not_grow_with_data(world):
    client = client_for(world.alpha, world.person(world.alpha, Role.OWNER))
    client.get("/")
    with query_budget(12) as few:
        client.get("/")
    for index in range(4):
        vehicle_make(world.alpha)
        _import_job(world.alpha, f"file-{index}.csv")
        invite(project_for(world.beta, title=f"Invite {index}"), world.alpha)
    with query_budget(12) as many:
        client.get("/")
    assert_same_queries(few, many, "the partner home")
