"""Role × partner × action matrix for the contributions around a project; denied paths change nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.collaboration import services
from portal.collaboration.choices import ProductCategory
from portal.collaboration.models import Document, Milestone, Product, Project
from tenants.choices import Role
from tests.factories import PartnerRowFactory

from .factories import project_for

ROLES = [Role.OWNER, Role.MANAGER, Role.MEMBER, Role.VIEWER]
# action → (minimum role, may a participant that is not the owner partner do it?)
RULES = {
    "milestone": (Role.MEMBER, True),
    "document": (Role.MEMBER, True),
    "product": (Role.MEMBER, True),
    "edit": (Role.MANAGER, False),
    "invite": (Role.MANAGER, False),
}
RANK = {Role.VIEWER: 1, Role.MEMBER: 2, Role.MANAGER: 3, Role.OWNER: 4}


def _do(action, project, partner, role):
    if action == "milestone":
        services.milestone_create(
            project=project, partner=partner, role=role, user=None, title="M", due_date=datetime.date(2027, 1, 1)
        )
    elif action == "document":
        services.document_upload(
            project=project,
            partner=partner,
            role=role,
            user=None,
            file=SimpleUploadedFile("a.pdf", b"%PDF-1.4", content_type="application/pdf"),
        )
    elif action == "product":
        services.product_create(partner=partner, role=role, project=project, name="P", category=ProductCategory.BATTERY)
    elif action == "edit":
        services.project_update(
            project=project, version=project.version, partner=partner, role=role, user=None, title="Edited"
        )
    elif action == "invite":
        services.participant_invite(project=project, partner=partner, role=role, user=None, invitee=PartnerRowFactory())


def _snapshot(project):
    project.refresh_from_db()
    return (
        project.title,
        project.version,
        project.participants.count(),
        Milestone.objects.count(),
        Document.objects.count(),
        Product.objects.count(),
    )


@pytest.mark.parametrize("action", RULES)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("who", ["owner partner", "participant", "outsider"])
def test_contribution_matrix(world, action, role, who):
    project = project_for(world.alpha, partners=[world.beta] if who == "participant" else [])
    partner = world.alpha if who == "owner partner" else world.beta
    minimum, participants_too = RULES[action]
    allowed = RANK[role] >= RANK[minimum] and (who == "owner partner" or (who == "participant" and participants_too))
    before = _snapshot(project)
    if allowed:
        _do(action, project, partner, role)
        assert _snapshot(project) != before
    else:
        with pytest.raises(PermissionDenied):
            _do(action, project, partner, role)
        assert _snapshot(project) == before
    assert Project.objects.filter(pk=project.pk).exists()
