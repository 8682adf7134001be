"""Reads of the inbox (in the schema of the workspace in use): a person's notices, unread count, preferences."""

from django.db.models import QuerySet

from tenants.choices import role_at_least
from tenants.models import Membership, Partner

from .models import Notice, NoticePreference


def notice_list(*, user) -> QuerySet[Notice]:
    """The person's notices in this workspace, newest first (never anyone else's)."""
    return Notice.objects.filter(user=user).order_by("-created_at", "-id")


def notice_unread_count(*, user) -> int:
    """How many of the person's notices in this workspace are unread (the partial index `notice_user_unread`)."""
    return Notice.objects.filter(user=user, read_at__isnull=True).count()


def preference_get(*, user) -> NoticePreference:
    """The person's preference in this workspace; the defaults (every kind, daily digest) when none is saved."""
    return NoticePreference.objects.filter(user=user).first() or NoticePreference(user=user)


def recipients_of(
    *, partner: Partner, people=(), minimum_role: str | None = None, officers: bool = False
) -> list[Membership]:
    """Active memberships of the partner: the people named (if members), those with at least `minimum_role`,
    and compliance officers when `officers`; each person once. Outsiders never receive a partner's notice."""
    wanted = {getattr(person, "pk", person) for person in people if person is not None}
    memberships = partner.memberships.filter(user__is_active=True).select_related("user")
    chosen = []
    for membership in memberships:
        if (
            membership.user_id in wanted
            or (minimum_role is not None and role_at_least(membership.role, minimum_role))
            or (officers and membership.is_compliance_officer)
        ):
            chosen.append(membership)
    return chosen
