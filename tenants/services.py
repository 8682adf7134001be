"""Writes of partners, people and memberships: the one path used by the admin, commands and the API."""

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from .choices import PartnerKind, PartnerTier, Role
from .models import Domain, Membership, Partner, User
from .selectors import partner_url
from .signals import partner_deactivated, partner_reactivated

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


def membership_compliance_officer_set(*, membership: Membership, value: bool) -> Membership:
    """Make a member a compliance officer (or not): who may release blocked export shipments."""
    membership.is_compliance_officer = bool(value)
    membership.save(update_fields=["is_compliance_officer"])
    return membership


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
