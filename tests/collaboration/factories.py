"""Factories of collaboration projects, through the services (so every rule is exercised)."""

from portal.collaboration import services
from portal.collaboration.choices import ListingKind, ProductCategory, Stage
from portal.collaboration.models import Participant, Project
from tenants.choices import Role
from tenants.models import Partner


def project_for(owner: Partner, *, title: str = "Swap pack", partners=(), stage: str = Stage.PROPOSED) -> Project:
    """A project owned by `owner`, with `partners` accepted, created directly in `stage`."""
    return services.project_create(
        partner=owner,
        role=Role.MANAGER,
        user=None,
        title=title,
        summary="Secret summary",
        tags=["battery_swap"],
        markets=["CN"],
        stage=stage,
        partners=list(partners),
    )


def invite(project: Project, invitee: Partner) -> Participant:
    owner = project.owner
    return services.participant_invite(project=project, partner=owner, role=Role.OWNER, user=None, invitee=invitee)


def product_for(partner: Partner, name: str = "T9"):
    return services.product_create(partner=partner, role=Role.MEMBER, name=name, category=ProductCategory.BATTERY)


def listing_for(partner: Partner, kind: str = ListingKind.NEED, **fields):
    fields.setdefault("title", "Need packs")
    fields.setdefault("tags", ["battery_pack"])
    return services.listing_create(partner=partner, role=Role.MEMBER, kind=kind, **fields)
