"""Reads of partners, people and memberships."""

from django.conf import settings
from django.db.models import Case, Value, When

from .choices import ROLE_RANK, Role
from .models import Invitation, Membership, Partner, User


def membership_get(*, user: User, partner: Partner) -> Membership | None:
    """The user's membership of the partner, or None."""
    if not user.is_authenticated or not user.is_active:
        return None
    return Membership.objects.filter(user=user, partner=partner, partner__is_active=True).first()


def membership_list_for_user(*, user: User):
    """The active partners a person belongs to, with their role."""
    return (
        Membership.objects.filter(user=user, partner__is_active=True)
        .select_related("partner")
        .prefetch_related("partner__domains")
        .order_by("partner__name")
    )


def membership_list_for_partner(*, partner: Partner):
    """A partner's team, strongest role first."""
    rank = Case(*[When(role=role, then=Value(value)) for role, value in ROLE_RANK.items()], default=Value(0))
    return partner.memberships.select_related("user").order_by(-rank, "user__email")


def invitation_list_pending(*, partner: Partner, now=None):
    """A partner's invitations that can still be accepted, newest first."""
    return Invitation.objects.pending(now=now).filter(partner=partner).select_related("invited_by")


def membership_is_last_owner(membership: Membership) -> bool:
    """True when the membership is its partner's only owner (who may not be removed or demoted)."""
    return (
        membership.role == Role.OWNER
        and not Membership.objects.filter(partner_id=membership.partner_id, role=Role.OWNER)
        .exclude(pk=membership.pk)
        .exists()
    )


def user_has_account(*, email: str) -> bool:
    """True when someone with this address can already sign in (they accept an invitation after signing in)."""
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    return user is not None and user.has_usable_password()


def partner_list(*, include_inactive: bool = False):
    """Member partners (never the public row or the schema template)."""
    partners = Partner.objects.members().prefetch_related("domains")
    return partners if include_inactive else partners.active()


def partner_url(partner: Partner, path: str = "/") -> str:
    """Absolute URL of a page on the partner's own subdomain."""
    # Reads prefetched domains when the caller prefetched them (no query per partner in lists).
    domain = next((d for d in partner.domains.all() if d.is_primary), None)
    host = domain.domain if domain else f"{partner.slug}.{settings.PORTAL_DOMAIN}"
    port = f":{settings.PORTAL_PORT}" if settings.PORTAL_PORT not in ("", "80", "443") else ""
    return f"{settings.PORTAL_SCHEME}://{host}{port}{path}"
