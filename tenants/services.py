"""Writes of partners, people and memberships: the one path used by the admin, commands and the API."""

import datetime
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from .choices import InvitationState, PartnerKind, PartnerTier, Role, TeamEvent
from .models import Domain, Invitation, Membership, Partner, User
from .selectors import partner_url
from .signals import partner_deactivated, partner_reactivated, team_changed

SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9-]{1,40}[a-z0-9]$")
RESERVED_SLUGS = {"www", "api", "admin", "static", "media", "public", "staff", "mail", "partner-template"}


@dataclass(frozen=True)
class ProvisionedPartner:
    """What provisioning made: the partner, its host and the invited owner."""

    partner: Partner
    domain: Domain
    owner: User | None


def partner_slug_validate(slug: str) -> str:
    """Check a subdomain label and return it normalised; raise ValidationError when unusable."""
    slug = (slug or "").strip().lower()
    if not SLUG_PATTERN.match(slug):
        raise ValidationError(
            _("Use 3–42 lowercase letters, digits or hyphens, starting with a letter: %(slug)s") % {"slug": slug},
            code="invalid_slug",
        )
    if slug in RESERVED_SLUGS:
        raise ValidationError(_("“%(slug)s” is reserved.") % {"slug": slug}, code="reserved_slug")
    schema_name = slug.replace("-", "_")
    if Partner.objects.filter(schema_name=schema_name).exists():
        raise ValidationError(_("A partner already uses “%(slug)s”.") % {"slug": slug}, code="slug_taken")
    return slug


@transaction.atomic
def partner_provision(
    *,
    name: str,
    slug: str,
    kind: str,
    country: str,
    city: str = "",
    tier: str = PartnerTier.FULL,
    owner_email: str | None = None,
    owner_name: str = "",
    invite: bool = True,
    member_since: datetime.date | None = None,
) -> ProvisionedPartner:
    """Create a partner: its schema (cloned from the template), its subdomain and its owner's invitation."""
    try:
        slug = partner_slug_validate(slug)
    except ValidationError as error:
        raise ValidationError({"slug": error.error_list}) from error
    if kind not in PartnerKind.values:
        raise ValidationError(
            {"kind": ValidationError(_("Unknown partner kind: %(kind)s") % {"kind": kind}, code="invalid_kind")}
        )
    partner = Partner(
        schema_name=slug.replace("-", "_"), name=name.strip(), kind=kind, country=country, city=city, tier=tier
    )
    if member_since is not None:
        partner.member_since = member_since
    partner.full_clean(exclude=["schema_name"])
    partner.save()  # creates the schema by cloning TENANT_BASE_SCHEMA
    domain = Domain.objects.create(domain=f"{slug}.{settings.PORTAL_DOMAIN}", tenant=partner, is_primary=True)
    owner = None
    if owner_email:
        owner = membership_grant(partner=partner, email=owner_email, role=Role.OWNER, full_name=owner_name)
        if invite:
            transaction.on_commit(lambda: invitation_send(user=owner, partner=partner))
    return ProvisionedPartner(partner=partner, domain=domain, owner=owner)


@transaction.atomic
def membership_grant(*, partner: Partner, email: str, role: str, full_name: str = "") -> User:
    """Give a person (created when new, without a password) a role in a partner."""
    if role not in Role.values:
        raise ValidationError(_("Unknown role: %(role)s") % {"role": role}, code="invalid_role")
    email = User.objects.normalize_email(email).strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email=email, full_name=full_name)
    Membership.objects.update_or_create(user=user, partner=partner, defaults={"role": role})
    return user


def membership_compliance_officer_set(*, membership: Membership, value: bool, actor: User | None = None) -> Membership:
    """Make a member a compliance officer (or not): who may release blocked export shipments."""
    if membership.is_compliance_officer == bool(value):
        return membership
    membership.is_compliance_officer = bool(value)
    membership.save(update_fields=["is_compliance_officer"])  # audited by portal.audit.signals
    _team_changed(membership.partner, TeamEvent.OFFICER_CHANGED, membership.user.email, actor, {"officer": value})
    return membership


def _owners_after(partner: Partner, *, losing: Membership) -> int:
    """How many owners the partner keeps when `losing` stops being one (owner rows locked: no two last removals)."""
    owners = list(
        Membership.objects.select_for_update().filter(partner=partner, role=Role.OWNER).values_list("pk", flat=True)
    )
    return len([pk for pk in owners if pk != losing.pk])


def _refuse_last_owner(membership: Membership) -> None:
    if membership.role == Role.OWNER and _owners_after(membership.partner, losing=membership) == 0:
        raise ValidationError(
            _("%(person)s is the last owner: make someone else an owner first.") % {"person": membership.user},
            code="last_owner",
        )


@transaction.atomic
def membership_role_set(*, membership: Membership, role: str, actor: User | None = None) -> Membership:
    """Change a member's role; the partner always keeps at least one owner."""
    if role not in Role.values:
        raise ValidationError({"role": ValidationError(_("Unknown role: %(role)s") % {"role": role}, code="invalid")})
    if membership.role == role:
        return membership
    if role != Role.OWNER:
        _refuse_last_owner(membership)
    old_role = membership.role
    membership.role = role
    membership.save(update_fields=["role"])  # audited by portal.audit.signals
    _team_changed(
        membership.partner, TeamEvent.ROLE_CHANGED, membership.user.email, actor, {"from": old_role, "to": role}
    )
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor: User | None = None) -> None:
    """Take a person out of a partner's team (never its last owner); their account stays."""
    _refuse_last_owner(membership)
    partner, email, role = membership.partner, membership.user.email, membership.role
    membership.delete()  # audited by portal.audit.signals
    _team_changed(partner, TeamEvent.REMOVED, email, actor, {"role": role})


def user_sessions_end(*, user: User) -> None:
    """End every session of the person, on every host (their auth hash changes; see User._get_session_auth_hash)."""
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    user.refresh_from_db(fields=["session_generation"])


# Invitations -----------------------------------------------------------------------------------------------------

INVITATION_VALID_FOR = datetime.timedelta(days=7)
INVITATION_SALT = "tenants.invitation"


def _team_changed(partner, event, email, actor, details) -> None:
    """Tell other apps (an inbox) after the change is committed."""
    transaction.on_commit(
        lambda: team_changed.send(
            sender=Partner, partner=partner, event=event, email=email, actor=actor, details=details
        )
    )


def _email_clean(email: str) -> str:
    email = User.objects.normalize_email((email or "").strip()).lower()
    try:
        validate_email(email)
    except ValidationError as error:
        raise ValidationError({"email": error.error_list}) from error
    return email


def invitation_check(*, partner: Partner, email: str, role: str, now: datetime.datetime | None = None) -> str:
    """The address, normalised, when it may be invited to the partner; ValidationError (by field) otherwise."""
    now = now or timezone.now()
    email = _email_clean(email)
    if role not in Role.values:
        raise ValidationError({"role": ValidationError(_("Unknown role: %(role)s") % {"role": role}, code="invalid")})
    if Membership.objects.filter(partner=partner, user__email__iexact=email).exists():
        raise ValidationError(
            {"email": ValidationError(_("%(email)s is already in the team.") % {"email": email}, code="member")}
        )
    if Invitation.objects.pending(now=now).filter(partner=partner, email__iexact=email).exists():
        raise ValidationError(
            {
                "email": ValidationError(
                    _("%(email)s is already invited: withdraw that invitation to send a new one.") % {"email": email},
                    code="invited",
                )
            }
        )
    return email


@transaction.atomic
def invitation_create(
    *,
    partner: Partner,
    email: str,
    role: str,
    is_compliance_officer: bool = False,
    invited_by: User | None = None,
    now: datetime.datetime | None = None,
    send: bool = True,
) -> Invitation:
    """Invite someone (a new or an existing person) to the partner's team by e-mail (unless `send` is False, as in
    the demo); the link expires."""
    now = now or timezone.now()
    email = invitation_check(partner=partner, email=email, role=role, now=now)
    invitation = Invitation.objects.create(
        partner=partner,
        email=email,
        role=role,
        is_compliance_officer=is_compliance_officer,
        invited_by=invited_by,
        nonce=secrets.token_hex(16),
        created_at=now,
        expires_at=now + INVITATION_VALID_FOR,
    )  # audited by portal.audit.signals
    if send:
        transaction.on_commit(lambda: invitation_email_send(invitation=invitation))
    _team_changed(partner, TeamEvent.INVITED, email, invited_by, {"role": role})
    return invitation


def invitation_token(invitation: Invitation) -> str:
    """The signed token of the invitation's link (names the invitation and its nonce; nothing else)."""
    return signing.dumps({"i": invitation.pk, "n": invitation.nonce}, salt=INVITATION_SALT, compress=True)


def invitation_link(invitation: Invitation) -> str:
    path = reverse("team:join", kwargs={"token": invitation_token(invitation)}, urlconf=settings.ROOT_URLCONF)
    return partner_url(invitation.partner, path)


def invitation_email_send(*, invitation: Invitation) -> None:
    """E-mail the invitation's link, in the invitee's language when they already have an account."""
    existing = User.objects.filter(email__iexact=invitation.email).first()
    language = (existing.preferred_language if existing else "") or translation.get_language() or settings.LANGUAGE_CODE
    with translation.override(language):
        subject = _("You are invited to %(partner)s on the Alliance Portal") % {
            "partner": " ".join(invitation.partner.name.split())
        }
        body = render_to_string(
            "accounts/email/team_invitation.txt",
            {
                "invitation": invitation,
                "link": invitation_link(invitation),
                "has_account": existing is not None and existing.has_usable_password(),
            },
        )
    send_mail(subject, body, None, [invitation.email])


def invitation_from_token(*, token: str, partner: Partner, now: datetime.datetime | None = None) -> Invitation:
    """The pending invitation of a link on this partner's host; ValidationError (code says why) otherwise."""
    try:
        data = signing.loads(token, salt=INVITATION_SALT)
        invitation = Invitation.objects.select_related("partner").get(pk=data["i"], partner=partner, nonce=data["n"])
    except (signing.BadSignature, Invitation.DoesNotExist, KeyError, TypeError) as error:
        raise ValidationError(_("This invitation link is not valid."), code="invalid") from error
    state = invitation.state(now=now)
    messages = {
        InvitationState.ACCEPTED: _("This invitation has already been accepted."),
        InvitationState.REVOKED: _("This invitation was withdrawn."),
        InvitationState.EXPIRED: _("This invitation has expired: ask the team's owner for a new one."),
    }
    if state != InvitationState.PENDING:
        raise ValidationError(messages[state], code=state)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User | None = None, now=None) -> Invitation:
    """Withdraw a pending invitation: its link stops working."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.state(now=now) != InvitationState.PENDING:
        raise ValidationError(_("Only a pending invitation can be withdrawn."), code="not_pending")
    invitation.revoked_at = now or timezone.now()
    invitation.save(update_fields=["revoked_at"])  # audited by portal.audit.signals
    _team_changed(invitation.partner, TeamEvent.INVITATION_REVOKED, invitation.email, actor, {})
    return invitation


@transaction.atomic
def invitation_accept(
    *,
    invitation: Invitation,
    user: User | None = None,
    full_name: str = "",
    password: str = "",
    now: datetime.datetime | None = None,
) -> User:
    """Join the team: as the signed-in person the invitation names, or as a new person who sets name and password."""
    now = now or timezone.now()
    invitation = Invitation.objects.select_for_update().select_related("partner").get(pk=invitation.pk)
    if invitation.state(now=now) != InvitationState.PENDING:
        raise ValidationError(_("This invitation is no longer valid."), code="not_pending")
    existing = User.objects.filter(email__iexact=invitation.email).first()
    if user is not None and user.is_authenticated:
        if user.email.lower() != invitation.email.lower():
            raise ValidationError(
                _("This invitation is for %(email)s: sign in with that address.") % {"email": invitation.email},
                code="other_person",
            )
        person = user
    elif existing is not None and existing.has_usable_password():
        raise ValidationError(_("You already have an account: sign in to accept."), code="sign_in")
    else:
        person = existing or User(email=invitation.email)
        person.full_name = full_name.strip()
        if not person.full_name:
            raise ValidationError({"full_name": ValidationError(_("Tell us your name."), code="required")})
        try:
            validate_password(password, user=person)
        except ValidationError as error:
            raise ValidationError({"password": error.error_list}) from error
        person.set_password(password)
        person.save()
    Membership.objects.get_or_create(  # a membership given meanwhile (e.g. in the admin) is kept as it is
        user=person,
        partner=invitation.partner,
        defaults={"role": invitation.role, "is_compliance_officer": invitation.is_compliance_officer},
    )  # audited by portal.audit.signals
    invitation.accepted_at, invitation.accepted_by = now, person
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    _team_changed(invitation.partner, TeamEvent.JOINED, person.email, person, {"role": invitation.role})
    return person


def invitation_send(*, user: User, partner: Partner) -> None:
    """E-mail a person a link to set their password and enter the partner's workspace."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = partner_url(partner, f"/accounts/reset/{uid}/{token}/")
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        subject = _("You are invited to %(partner)s on the Alliance Portal") % {
            "partner": " ".join(partner.name.split())
        }
        body = render_to_string("tenants/email/invitation.txt", {"user": user, "partner": partner, "link": link})
    send_mail(subject, body, None, [user.email])


@transaction.atomic
def partner_deactivate(*, partner: Partner) -> Partner:
    """Shut a partner's subdomain and API keys; its data is kept."""
    if partner.is_public:
        raise ValidationError(_("The public site cannot be deactivated."), code="public_partner")
    Partner.objects.filter(pk=partner.pk).update(is_active=False)
    partner.is_active = False
    partner_deactivated.send(sender=Partner, partner=partner)
    return partner


@transaction.atomic
def partner_reactivate(*, partner: Partner) -> Partner:
    """Open a deactivated partner's subdomain again."""
    Partner.objects.filter(pk=partner.pk).update(is_active=True)
    partner.is_active = True
    partner_reactivated.send(sender=Partner, partner=partner)
    return partner


def public_tenant_ensure() -> Partner:
    """Create the public row and its host, and the schema template, when missing (idempotent)."""
    public, _created = Partner.objects.get_or_create(
        schema_name="public",
        defaults={"name": "Alliance Portal", "kind": PartnerKind.SECRETARIAT, "country": "CN", "city": "Chongqing"},
    )
    Domain.objects.get_or_create(domain=settings.PORTAL_DOMAIN, defaults={"tenant": public, "is_primary": True})
    return public


def template_schema_ensure() -> Partner:
    """Create the schema template that new partners are cloned from; it has no domain and never serves pages."""
    template = Partner.objects.filter(schema_name=settings.TENANT_BASE_SCHEMA).first()
    if template is None:
        template = Partner(
            schema_name=settings.TENANT_BASE_SCHEMA,
            name="Partner schema template",
            kind=PartnerKind.SECRETARIAT,
            country="CN",
            is_active=False,
        )
        # Built by migrations: django-tenants clones only from a base schema that exists, and this one does not yet.
        template.save(verbosity=0)
    return template
