"""The partner home: a worklist of what needs the person now (each item one click from its fix), its own vehicles,
imports and projects, nothing of another partner, and a fixed number of queries."""

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone
from django_tenants.utils import schema_context

from portal.collaboration.choices import Stage
from portal.collaboration.models import Project
from portal.compliance.models import Shipment
from portal.vehicles.choices import ImportStatus
from portal.vehicles.models import ImportJob
from tenants.choices import Role

from ..collaboration.factories import invite, project_for
from ..compliance.factories import certificate_make, days, eu_l3e_model
from ..conftest import client_for
from ..queries import assert_same_queries, query_budget
from ..vehicles.factories import vehicle_make


def _import_job(partner, name: str, **fields) -> ImportJob:
    with schema_context(partner.schema_name):
        job = ImportJob(original_name=name, size_bytes=3, market="CN", **fields)
        job.file.save("home.csv", ContentFile(b"vin"), save=False)
        job.save()
        return job


def _shipment(partner, reference: str, verdict: str, **fields) -> Shipment:
    """A shipment row with the verdict given (no check run: the worklist only reads)."""
    with schema_context(partner.schema_name):
        return Shipment.objects.create(
            reference=reference,
            destination="HU",
            consignee_name="Danube Importer Kft.",
            consignee_country="HU",
            incoterm="DAP",
            hs_code="8711.60",
            expected_arrival=days(30),
            verdict=verdict,
            **fields,
        )


def _stalled(project: Project, age_days: int) -> None:
    Project.objects.filter(pk=project.pk).update(stage_changed_at=timezone.now() - datetime.timedelta(days=age_days))


def _work_for_alpha(world, suffix: str = "") -> dict:
    """One of each kind of work in alpha (and the same kinds in beta, which alpha must never see)."""
    blocked = _shipment(world.alpha, f"SH-BLOCKED{suffix}", "blocked")
    review = _shipment(world.alpha, f"SH-REVIEW{suffix}", "needs_review")
    _shipment(world.alpha, f"SH-CLEARED{suffix}", "cleared")
    _shipment(world.alpha, f"SH-SHIPPED{suffix}", "blocked", status="cancelled")
    model = eu_l3e_model(world.alpha, certified=False)
    expired = certificate_make(world.alpha, "un-r136", [model], valid_to=days(-3), number=f"R136-OLD{suffix}")
    soon = certificate_make(world.alpha, "un38-3", [model], valid_to=days(20), number=f"UN38-SOON{suffix}")
    certificate_make(world.alpha, "eu-ta-168-2013", [model], valid_to=days(200), number=f"TA-LATER{suffix}")
    invitation = invite(project_for(world.beta, title=f"Beta invites alpha{suffix}"), world.alpha)
    stalled = project_for(world.alpha, title=f"Alpha stalled pack{suffix}", stage=Stage.NEGOTIATING)
    _stalled(stalled, 45)
    _stalled(project_for(world.alpha, title=f"Alpha fresh pack{suffix}", stage=Stage.NEGOTIATING), 3)
    _stalled(project_for(world.alpha, title=f"Alpha launched{suffix}", stage=Stage.LAUNCHED), 200)
    failed = _import_job(world.alpha, f"broken{suffix}.csv", status=ImportStatus.FAILED, error_message="No VIN column")
    _import_job(world.alpha, f"fine{suffix}.csv", status=ImportStatus.SUCCEEDED)
    _shipment(world.beta, f"BETA-BLOCKED{suffix}", "blocked")
    _import_job(world.beta, f"beta-broken{suffix}.csv", status=ImportStatus.FAILED)
    return {
        "blocked": blocked,
        "review": review,
        "expired": expired,
        "soon": soon,
        "invitation": invitation,
        "stalled": stalled,
        "failed": failed,
    }


def _sections(response) -> dict:
    return {section.key: section for section in response.context["worklist"].sections}


def test_the_worklist_counts_each_kind_of_work_and_links_each_item_to_its_fix(world):
    work = _work_for_alpha(world)
    response = client_for(world.alpha, world.person(world.alpha, Role.MANAGER)).get("/")
    sections = _sections(response)
    assert {key: section.count for key, section in sections.items()} == {
        "blocked": 1,
        "review": 1,
        "certificates": 2,
        "invitations": 1,
        "stalled": 1,
        "imports": 1,
    }
    assert [item.url for item in sections["blocked"].items] == [f"/compliance/shipments/{work['blocked'].pk}/"]
    assert [item.url for item in sections["review"].items] == [f"/compliance/shipments/{work['review'].pk}/"]
    assert [item.url for item in sections["certificates"].items] == [
        f"/compliance/certificates/{work['expired'].pk}/edit/",
        f"/compliance/certificates/{work['soon'].pk}/edit/",
    ]
    assert [item.url for item in sections["invitations"].items] == [f"/projects/{work['invitation'].project_id}/"]
    assert [item.url for item in sections["stalled"].items] == [f"/projects/{work['stalled'].pk}/stage/"]
    assert [item.url for item in sections["imports"].items] == [f"/vehicles/imports/{work['failed'].pk}/"]
    body = response.content.decode()
    assert "SH-BLOCKED" in body and "R136-OLD" in body and "Alpha stalled pack" in body and "broken.csv" in body
    assert "Alpha fresh pack" not in body and "SH-CLEARED" not in body and "TA-LATER" not in body
    assert 'data-testid="worklist-clear"' not in body


def test_a_viewer_sees_the_same_work_read_only(world):
    work = _work_for_alpha(world)
    response = client_for(world.alpha, world.person(world.alpha, Role.VIEWER)).get("/")
    sections = _sections(response)
    assert sections["blocked"].count == 1 and str(sections["blocked"].action) == "View"
    assert [item.url for item in sections["certificates"].items] == ["/compliance/certificates/"] * 2
    assert [item.url for item in sections["stalled"].items] == [f"/projects/{work['stalled'].pk}/"]
    assert sections["invitations"].note  # who answers instead
    assert "/edit/" not in response.content.decode().split('data-testid="worklist"')[1].split("</section>")[0]


def test_every_link_of_the_worklist_opens_for_the_person_it_is_shown_to(world):
    _work_for_alpha(world)
    for role in (Role.OWNER, Role.MANAGER, Role.MEMBER, Role.VIEWER):
        client = client_for(world.alpha, world.person(world.alpha, role))
        sections = _sections(client.get("/"))
        for section in sections.values():
            for url in [section.more_url, *(item.url for item in section.items)]:
                assert client.get(url).status_code == 200, (role, url)


def test_all_clear_when_nothing_needs_the_person(world):
    _shipment(world.beta, "BETA-BLOCKED", "blocked")
    response = client_for(world.alpha, world.person(world.alpha, Role.MEMBER)).get("/")
    assert response.context["worklist"].total == 0
    assert 'data-testid="worklist-clear"' in response.content.decode()


def test_a_released_shipment_is_no_work_left(world):
    shipment = _shipment(world.alpha, "SH-RELEASED", "blocked")
    with schema_context(world.alpha.schema_name):
        from portal.compliance.models import ShipmentCheck, ShipmentOverride

        check = ShipmentCheck.objects.create(
            shipment=shipment,
            verdict="blocked",
            rules_version=1,
            screening_version=1,
            checked_on=days(0),
            expected_arrival=shipment.expected_arrival,
            destination="HU",
            consignee_name=shipment.consignee_name,
        )
        release = ShipmentOverride.objects.create(
            shipment=shipment,
            check_run=check,
            verdict="blocked",
            reason="Checked by hand",
            officer=world.person(world.alpha, Role.OWNER),
            officer_email="owner@alpha.example.com",
        )
        Shipment.objects.filter(pk=shipment.pk).update(latest_check=check, release=release)
    _shipment(world.alpha, "SH-WAITING", "blocked")
    client = client_for(world.alpha, world.person(world.alpha, Role.OWNER))
    blocked = _sections(client.get("/"))["blocked"]
    assert blocked.count == 1
    # "More" opens the list as the worklist counts it: open, blocked, not released.
    assert blocked.more_url == "/compliance/?status=open&verdict=blocked&released=no"
    listed = client.get(blocked.more_url).content.decode()
    assert "SH-WAITING" in listed and "SH-RELEASED" not in listed


def test_home_shows_the_partners_own_vehicles_imports_and_projects(world):
    vehicle_make(world.alpha)
    vehicle_make(world.alpha)
    _import_job(world.alpha, "alpha-week-47.csv")
    project_for(world.alpha, title="Alpha swap pack", stage=Stage.SIGNED)
    response = client_for(world.alpha, world.person(world.alpha, Role.VIEWER)).get("/")
    assert response.status_code == 200
    assert response.context["vehicle_count"] == 2
    assert [job.original_name for job in response.context["imports"]] == ["alpha-week-47.csv"]
    assert {column["stage"]: column["count"] for column in response.context["stages"]} == {Stage.SIGNED: 1}


def test_home_shows_nothing_of_another_partner(world):
    vehicle_make(world.beta)
    _import_job(world.beta, "beta-secret-import.csv", status=ImportStatus.FAILED)
    _shipment(world.beta, "BETA-SECRET-SHIPMENT", "blocked")
    _stalled(project_for(world.beta, title="Beta private project", stage=Stage.DOCKED), 90)
    response = client_for(world.alpha, world.person(world.alpha, Role.OWNER)).get("/")
    body = response.content.decode()
    assert response.context["vehicle_count"] == 0
    assert response.context["worklist"].total == 0
    assert "beta-secret-import.csv" not in body and "Beta private project" not in body
    assert "BETA-SECRET-SHIPMENT" not in body
    assert list(response.context["stages"]) == []


def test_home_query_count_does_not_grow_with_data(world):
    client = client_for(world.alpha, world.person(world.alpha, Role.OWNER))
    _work_for_alpha(world)
    client.get("/")
    with query_budget(26) as few:
        client.get("/")
    for index in range(6):
        vehicle_make(world.alpha)
        _work_for_alpha(world, suffix=f"-{index}")
    with query_budget(26) as many:
        response = client.get("/")
    assert all(section.count >= 7 for section in _sections(response).values())
    assert_same_queries(few, many, "the partner home")
