"""The inbox listens to lower layers that cannot call it: the tenancy app's team changes (tenants.signals)."""

import logging

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from tenants.choices import Role, TeamEvent
from tenants.models import User

from .choices import NoticeKind
from .services import notify_many

logger = logging.getLogger(__name__)


def _role_label(role: str) -> str:
    return Role(role).label if role in Role.values else role


def _params(event: str, email: str, details: dict) -> tuple[str, dict]:
    """The message variant and parameters of a team change."""
    params = {"email": email}
    if event == TeamEvent.ROLE_CHANGED:
        params["role_label"] = _role_label(details.get("to", ""))
    elif event in (TeamEvent.INVITED, TeamEvent.JOINED, TeamEvent.REMOVED):
        params["role_label"] = _role_label(details.get("role", ""))
    variant = f"team_{event}"
    if event == TeamEvent.OFFICER_CHANGED and not details.get("officer"):
        variant = "team_officer_unset"
    return variant, params


def team_changed_receiver(sender=None, partner=None, event="", email="", actor=None, details=None, **kwargs):
    """Tell the partner's owners and managers, and the person it concerns, that the team changed (after commit)."""
    if partner is None or not event:
        return
    variant, params = _params(event, email, details or {})
    try:
        url = reverse("team:team", urlconf=settings.ROOT_URLCONF)
    except NoReverseMatch:
        url = ""
    notify_many(
        partner=partner,
        kind=NoticeKind.TEAM,
        variant=variant,
        people=User.objects.filter(email__iexact=email).values_list("pk", flat=True) if email else (),
        minimum_role=Role.MANAGER,
        actor=actor,
        params=params,
        url=url,
    )
