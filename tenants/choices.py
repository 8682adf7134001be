"""Choice lists of the tenancy app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PartnerKind(models.TextChoices):
    EV_MAKER = "ev_maker", _("EV maker")
    E_MOTORCYCLE_MAKER = "e_motorcycle_maker", _("E-motorcycle maker")
    E_BIKE_MAKER = "e_bike_maker", _("E-bike maker")
    BATTERY_MAKER = "battery_maker", _("Battery maker")
    COMPONENT_SUPPLIER = "component_supplier", _("Component supplier")
    RESEARCH_INSTITUTE = "research_institute", _("Research institute")
    EXPORT_AGENT = "export_agent", _("Export agent")
    SECRETARIAT = "secretariat", _("Alliance secretariat")


class PartnerTier(models.TextChoices):
    FOUNDING = "founding", _("Founding member")
    FULL = "full", _("Full member")
    ASSOCIATE = "associate", _("Associate member")
    OBSERVER = "observer", _("Observer")


class Role(models.TextChoices):
    """A person's role within one partner, strongest first."""

    OWNER = "owner", _("Owner")
    MANAGER = "manager", _("Manager")
    MEMBER = "member", _("Member")
    VIEWER = "viewer", _("Viewer")


# Higher number = more rights; used to compare roles ("at least manager").
ROLE_RANK = {Role.VIEWER: 1, Role.MEMBER: 2, Role.MANAGER: 3, Role.OWNER: 4}


def role_at_least(role: str | None, minimum: str) -> bool:
    """True when `role` (None: no membership) ranks at least `minimum`; pages, API and services all ask this."""
    return role is not None and ROLE_RANK[role] >= ROLE_RANK[minimum]


class InvitationState(models.TextChoices):
    """Where an invitation stands (computed from its dates, never stored)."""

    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")


class TeamEvent(models.TextChoices):
    """What happened to a team, as sent with `tenants.signals.team_changed` (the inbox's hook)."""

    INVITED = "invited", _("Invited")
    INVITATION_REVOKED = "invitation_revoked", _("Invitation revoked")
    JOINED = "joined", _("Joined")
    ROLE_CHANGED = "role_changed", _("Role changed")
    OFFICER_CHANGED = "officer_changed", _("Compliance officer changed")
    REMOVED = "removed", _("Removed")
