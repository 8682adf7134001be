"""The domains tell the inbox: a verdict change, an import finished, a stage change, an invitation, an expiry."""

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from portal.collaboration import services as collaboration
from portal.collaboration.choices import Stage
from portal.compliance.services.shipments import shipment_update
from portal.compliance.tasks import certificate_expiry_warn
from portal.inbox.choices import NoticeKind
from portal.vehicles.importing.pipeline import import_run
from tenants.choices import Role

from ..collaboration.factories import invite, project_for
from ..compliance.factories import certificate_make, days, eu_l3e_model, party_make, shipment_make
from ..vehicles.import_samples import csv_bytes, good_rows, job_make, media_root, setup_partner
from .factories import notices_of


def kinds(partner, person) -> list[str]:
    return [notice.kind for notice in notices_of(partner, person)]


def test_a_verdict_change_reaches_the_owner_and_the_creator_not_the_person_who_changed_it(world):
    owner, manager = world.person(world.alpha, Role.OWNER), world.person(world.alpha, Role.MANAGER)
    member = world.person(world.alpha, Role.MEMBER)
    shipment = shipment_make(world.alpha, user=member)
    before = shipment.verdict
    party_make("Crimson Holdings Ltd", country="HU")
    with schema_context(world.alpha.schema_name):
        shipment_update(shipment=shipment, user=manager, consignee_name="Crimson Holdings Ltd")
    (notice,) = notices_of(world.alpha, owner)
    assert notice.kind == NoticeKind.VERDICT and notice.url == f"/compliance/shipments/{shipment.pk}/"
    assert notice.params["before_label"] != notice.params["after_label"] and before
    assert notice.actor_label and "→" in notice.text
    assert kinds(world.alpha, member) == [NoticeKind.VERDICT]  # who opened the shipment
    assert kinds(world.alpha, manager) == []  # who changed it knows
    assert kinds(world.alpha, world.person(world.alpha, Role.VIEWER)) == []
    assert kinds(world.beta, world.person(world.beta, Role.OWNER)) == []


def test_a_check_with_the_same_verdict_tells_nobody(world):
    owner = world.person(world.alpha, Role.OWNER)
    shipment = shipment_make(world.alpha)
    with schema_context(world.alpha.schema_name):
        shipment_update(shipment=shipment, consignee_name="Another Danube Importer Kft.")
    assert kinds(world.alpha, owner) == []


def test_a_finished_import_reaches_its_uploader_only(world, tmp_path):
    member = world.person(world.alpha, Role.MEMBER)
    with media_root(tmp_path):
        setup_partner(world.alpha, model_name="Thunder S1")
        job = job_make(world.alpha, csv_bytes(good_rows(world.alpha, "Thunder S1", 3)), user=member, name="w47.csv")
        with schema_context(world.alpha.schema_name):
            connection.set_tenant(world.alpha)
            import_run(job_id=job.pk)
        connection.set_schema_to_public()
    (notice,) = notices_of(world.alpha, member)
    assert notice.kind == NoticeKind.IMPORT and notice.url == f"/vehicles/imports/{job.pk}/"
    assert notice.text == "Import of w47.csv finished: 3 new, 0 updated, 0 rejected."
    assert kinds(world.alpha, world.person(world.alpha, Role.OWNER)) == []


def test_a_stage_change_reaches_the_managers_of_every_partner_in_the_project(world):
    project = project_for(world.alpha, title="Swap pack", partners=[world.beta], stage=Stage.PROPOSED)
    alpha_manager = world.person(world.alpha, Role.MANAGER)
    collaboration.project_transition(
        project=project,
        version=project.version,
        to_stage=Stage.NEGOTIATING,
        partner=world.alpha,
        role=Role.MANAGER,
        user=alpha_manager,
    )
    (notice,) = notices_of(world.beta, world.person(world.beta, Role.OWNER))
    assert notice.kind == NoticeKind.STAGE and notice.url == f"/projects/{project.pk}/"
    assert "Swap pack" in notice.text
    assert kinds(world.beta, world.person(world.beta, Role.MANAGER)) == [NoticeKind.STAGE]
    assert kinds(world.beta, world.person(world.beta, Role.MEMBER)) == []
    assert kinds(world.alpha, alpha_manager) == []  # who moved it knows
    assert connection.schema_name == "public"


def test_an_invitation_reaches_the_invited_partners_managers(world):
    invite(project_for(world.beta, title="Cell supply"), world.alpha)
    (notice,) = notices_of(world.alpha, world.person(world.alpha, Role.OWNER))
    assert notice.kind == NoticeKind.INVITATION and notice.text == "Beta Cells invites you to “Cell supply”."
    assert kinds(world.alpha, world.person(world.alpha, Role.VIEWER)) == []


@pytest.mark.parametrize("officer", [True, False])
def test_certificate_expiry_reaches_managers_and_officers(world, settings, officer):
    settings.COMPLIANCE_EXPIRY_WARNING_DAYS = [30]
    member = world.person(world.alpha, Role.MEMBER)
    world.alpha.memberships.filter(user=member).update(is_compliance_officer=officer)
    model = eu_l3e_model(world.alpha, certified=False)
    certificate = certificate_make(world.alpha, "un-r136", [model], valid_to=days(25), number="R136-SOON")
    with schema_context(world.alpha.schema_name):
        certificate_expiry_warn()
        certificate_expiry_warn()
    (notice,) = notices_of(world.alpha, world.person(world.alpha, Role.MANAGER))
    assert notice.kind == NoticeKind.CERTIFICATE and notice.params["number"] == "R136-SOON"
    assert notice.url == f"/compliance/certificates/{certificate.pk}/edit/"
    assert kinds(world.alpha, member) == ([NoticeKind.CERTIFICATE] if officer else [])


def test_team_changes_reach_owners_managers_and_the_person_concerned(world, django_capture_on_commit_callbacks):
    from tenants import services as tenancy

    owner, manager = world.person(world.alpha, Role.OWNER), world.person(world.alpha, Role.MANAGER)
    viewer = world.person(world.alpha, Role.VIEWER)
    membership = world.alpha.memberships.get(user=viewer)
    with django_capture_on_commit_callbacks(execute=True):
        tenancy.membership_role_set(membership=membership, role=Role.MEMBER, actor=owner)
        tenancy.invitation_create(partner=world.alpha, email="newcomer@example.com", role=Role.VIEWER)
    role_changed, invited = notices_of(world.alpha, manager)
    assert role_changed.text == f"{viewer.email} is now Member." and role_changed.url == "/team/"
    assert invited.text == "newcomer@example.com was invited to the team as Viewer."
    assert [notice.text for notice in notices_of(world.alpha, viewer)] == [f"{viewer.email} is now Member."]
    assert [notice.variant for notice in notices_of(world.alpha, owner)] == ["team_invited"]  # not what it did
    assert notices_of(world.beta, world.person(world.beta, Role.OWNER)) == []


def test_an_expired_certificate_is_told_once(world, settings):
    settings.COMPLIANCE_EXPIRY_WARNING_DAYS = [30]
    model = eu_l3e_model(world.alpha, certified=False)
    certificate_make(world.alpha, "un-r136", [model], valid_to=days(-2), number="R136-GONE")
    certificate_make(world.alpha, "un38-3", [model], valid_to=days(-40), number="UN38-LONG-GONE")
    with schema_context(world.alpha.schema_name):
        assert certificate_expiry_warn()["sent"] == 0  # no mail: they were warned before
        certificate_expiry_warn()
    (notice,) = notices_of(world.alpha, world.person(world.alpha, Role.OWNER))
    assert notice.variant == "certificate_expired" and notice.text.startswith("Certificate R136-GONE expired on ")
