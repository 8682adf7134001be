"""Partners (tenants), their domains, people and memberships: all in the public schema."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from django_tenants.models import DomainMixin, TenantMixin
from django_tenants.utils import get_public_schema_name

from .choices import InvitationState, PartnerKind, PartnerTier, Role, role_at_least


class PartnerQuerySet(models.QuerySet):
    def members(self):
        """Real partner companies: not the public row, not the schema template."""
        return self.exclude(schema_name__in=[get_public_schema_name(), settings.TENANT_BASE_SCHEMA])

    def active(self):
        return self.filter(is_active=True)


class Partner(TenantMixin):
    """A member company of the alliance; one PostgreSQL schema and one subdomain each."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=PartnerKind.choices)
    country = CountryField(_("country"))
    city = models.CharField(_("city"), max_length=100, blank=True)
    member_since = models.DateField(_("member since"), default=timezone.localdate)
    tier = models.CharField(_("tier"), max_length=16, choices=PartnerTier.choices, default=PartnerTier.FULL)
    is_active = models.BooleanField(_("active"), default=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Schemas are cloned from TENANT_BASE_SCHEMA, so creating one is fast enough to do in a request.
    auto_create_schema = True
    auto_drop_schema = False

    objects = PartnerQuerySet.as_manager()

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def create_schema(self, check_if_exists=False, sync_schema=True, verbosity=1):
        """django-tenants' create_schema, with the template cloned by `tenants.clone` (flat cost per partner)."""
        from django.core.management import call_command
        from django.db import connection
        from django_tenants.postgresql_backend.base import _check_schema_name
        from django_tenants.utils import get_creation_fakes_migrations, schema_exists

        from .clone import schema_clone

        _check_schema_name(self.schema_name)  # it is written into the clone script

        base = self.get_base_schema() if get_creation_fakes_migrations() else None
        if not sync_schema or not base or (check_if_exists and schema_exists(self.schema_name)):
            return super().create_schema(check_if_exists, sync_schema, verbosity)
        if schema_exists(self.schema_name, case_sensitive=False) or not schema_exists(base):
            return super().create_schema(check_if_exists, sync_schema, verbosity)
        connection.set_schema_to_public()
        if not schema_clone(base, self.schema_name):
            return super().create_schema(check_if_exists, sync_schema, verbosity)
        # The template's migration records were copied: this records nothing new, but runs what django-tenants
        # runs after its own clone (the post-migrate signals of the new schema).
        options = {"tenant": True, "fake": True, "interactive": False, "verbosity": verbosity}
        call_command("migrate_schemas", schema_name=self.schema_name, **options)
        connection.set_schema_to_public()
        return True

    @property
    def is_public(self) -> bool:
        return self.schema_name == get_public_schema_name()

    @property
    def slug(self) -> str:
        return self.schema_name.replace("_", "-")


class Domain(DomainMixin):
    """A host name that resolves to a partner (or to the public site)."""

    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")

    def __str__(self) -> str:
        return self.domain


class UserManager(BaseUserManager):
    """Creates people identified by e-mail address."""

    use_in_migrations = True

    def _create(self, email, password, **fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **fields):
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person; may belong to several partners, or be alliance staff."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    is_staff = models.BooleanField(
        _("alliance staff"), default=False, help_text=_("Secretariat staff: admin site and staff pages.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # Part of every session's auth hash: raising it ends the person's sessions on every host (sign out everywhere).
    session_generation = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return (self.full_name or self.email).split(" ")[0]

    def _get_session_auth_hash(self, secret=None):
        # Django signs every session with this hash and refuses a session whose hash no longer matches; generation 0
        # keeps the plain password hash, so sessions opened before this field existed stay valid.
        if not self.session_generation:
            return super()._get_session_auth_hash(secret=secret)
        key_salt = "tenants.User.session_generation"
        value = f"{self.password}:{self.session_generation}"
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()


class Membership(models.Model):
    """A person's role in one partner; checked on every request to that partner."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    is_compliance_officer = models.BooleanField(
        _("compliance officer"),
        default=False,
        help_text=_("May release a blocked or needs-review export shipment, with a written reason."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "partner"], name="one_membership_per_partner")]
        ordering = ["partner__name", "user__email"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.partner} ({self.get_role_display()})"

    def has_role(self, minimum: str) -> bool:
        """True when this membership's role is at least `minimum`."""
        return role_at_least(self.role, minimum)


class InvitationQuerySet(models.QuerySet):
    def pending(self, *, now=None):
        """Neither accepted nor revoked, and not yet expired."""
        now = now or timezone.now()
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)


class Invitation(models.Model):
    """An e-mailed invitation to join a partner's team with a role; accepted through a signed, expiring link."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    is_compliance_officer = models.BooleanField(_("compliance officer"), default=False)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("invited by")
    )
    # Signed into the link; a new invitation (or a revoked one) never matches an old link.
    nonce = models.CharField(max_length=32, editable=False)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("accepted by")
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["partner", "email"], name="invitation_partner_email")]

    def __str__(self) -> str:
        return f"{self.email} → {self.partner} ({self.get_role_display()})"

    def state(self, *, now=None) -> InvitationState:
        """Pending, accepted, revoked or expired."""
        if self.accepted_at:
            return InvitationState.ACCEPTED
        if self.revoked_at:
            return InvitationState.REVOKED
        return InvitationState.EXPIRED if self.expires_at <= (now or timezone.now()) else InvitationState.PENDING
