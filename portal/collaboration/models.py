"""Cross-partner collaboration projects (public schema, visible to participants)."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from .choices import BudgetRange, ListingKind, ParticipantStatus, ProductCategory, Stage, Technology, TimelineKind
from .storage import private_storage_callable
from .timeline import timeline_describe


def _tags_field(verbose):
    return ArrayField(
        models.CharField(max_length=32, choices=Technology.choices), verbose_name=verbose, default=list, blank=True
    )


def technology_labels(codes: list[str]) -> list[str]:
    """Technologies by their names in the active language (a code no longer listed is shown as stored)."""
    return [str(Technology(code).label) if code in Technology.values else code for code in codes]


def market_names(codes: list[str]) -> list[str]:
    """Markets (ISO country codes) by their country names in the active language."""
    return [str(countries.name(code)) or code for code in codes]


class TaggedMixin:
    """Technologies (`tags`) and markets of a project or listing by their names, for pages."""

    @property
    def tag_labels(self) -> list[str]:
        return technology_labels(self.tags)

    @property
    def market_names(self) -> list[str]:
        return market_names(self.markets)


def _markets_field():
    return ArrayField(models.CharField(max_length=2), verbose_name=_("target markets"), default=list, blank=True)


class Project(TaggedMixin, models.Model):
    """A project run by several partners, from first contact to products on sale."""

    owner = models.ForeignKey(
        "tenants.Partner", on_delete=models.PROTECT, related_name="owned_projects", verbose_name=_("owner partner")
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    tags = _tags_field(_("technologies"))
    markets = _markets_field()
    budget_range = models.CharField(_("budget range"), max_length=16, choices=BudgetRange.choices, blank=True)
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.PROPOSED, db_index=True)
    stage_changed_at = models.DateTimeField(_("stage changed at"), default=timezone.now)
    # Optimistic locking: every write is an UPDATE … WHERE version = n, then version = n + 1.
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-updated_at", "-id"]
        # Search by any part of the title: UPPER(title) LIKE '%…%' (portal.search).
        indexes = [GinIndex(OpClass(Upper("title"), name="gin_trgm_ops"), name="project_title_trgm")]

    def __str__(self) -> str:
        return self.title


class Participant(models.Model):
    """A partner's place in a project: invited, then accepted, declined or left."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="participants")
    partner = models.ForeignKey("tenants.Partner", on_delete=models.CASCADE, related_name="participations")
    status = models.CharField(
        _("status"), max_length=16, choices=ParticipantStatus.choices, default=ParticipantStatus.INVITED
    )
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    invited_at = models.DateTimeField(default=timezone.now)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [models.UniqueConstraint(fields=["project", "partner"], name="one_participation_per_partner")]
        indexes = [models.Index(fields=["partner", "status"])]
        ordering = ["invited_at", "id"]

    def __str__(self) -> str:
        return f"{self.partner} in {self.project} ({self.status})"


class Document(models.Model):
    """A file of a project (evidence of a stage change or a working document); served only to participants."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(_("file"), storage=private_storage_callable, upload_to="%Y/%m/")
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    partner = models.ForeignKey("tenants.Partner", null=True, blank=True, on_delete=models.SET_NULL)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.name


class Transition(models.Model):
    """One stage change: who, when, why, and the evidence; the funnel is computed from these."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="transitions")
    from_stage = models.CharField(_("from"), max_length=16, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("to"), max_length=16, choices=Stage.choices)
    by_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    by_partner = models.ForeignKey("tenants.Partner", null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(_("reason"), blank=True)
    evidence = models.ForeignKey(Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        indexes = [models.Index(fields=["project", "at"]), models.Index(fields=["to_stage", "project"])]
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.from_stage or '-'} → {self.to_stage}"


class Milestone(models.Model):
    """A dated goal of a project, owned by one participant partner."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=200)
    due_date = models.DateField(_("due date"))
    owner = models.ForeignKey(
        "tenants.Partner", null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("responsible partner")
    )
    done = models.BooleanField(_("done"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.title


class TimelineEvent(models.Model):
    """One line of a project's timeline, written by the services as a kind and codes, rendered in the reader's
    language (`portal.collaboration.timeline`); `text` holds a name or title as written (or an older line)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="timeline")
    kind = models.CharField(max_length=16, choices=TimelineKind.choices)
    at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    partner = models.ForeignKey("tenants.Partner", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    text = models.CharField(max_length=500, blank=True)
    params = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        indexes = [models.Index(fields=["project", "at"])]
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description}"

    @property
    def description(self) -> str:
        """The line's words in the active language (codes translated; names and reasons as written)."""
        return timeline_describe(kind=self.kind, params=self.params, text=self.text)


class Product(models.Model):
    """A high-tech product yielded by a project; the alliance's catalogue, visible to every member."""

    partner = models.ForeignKey("tenants.Partner", on_delete=models.CASCADE, related_name="products")
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.SET_NULL, related_name="products")
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=16, choices=ProductCategory.choices)
    features = _tags_field(_("connectivity features"))
    launch_date = models.DateField(_("launch date"), null=True, blank=True)
    markets = _markets_field()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def feature_labels(self) -> list[str]:
        return technology_labels(self.features)

    @property
    def market_names(self) -> list[str]:
        return market_names(self.markets)


class Listing(TaggedMixin, models.Model):
    """A partner's published need or offer (technology, markets, capacity), matched with other partners."""

    partner = models.ForeignKey("tenants.Partner", on_delete=models.CASCADE, related_name="listings")
    kind = models.CharField(_("need or offer"), max_length=8, choices=ListingKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    tags = _tags_field(_("technologies"))
    markets = _markets_field()
    partner_kinds = ArrayField(
        models.CharField(max_length=32), verbose_name=_("partner kinds sought"), default=list, blank=True
    )
    capacity = models.CharField(_("capacity"), max_length=200, blank=True)
    is_open = models.BooleanField(_("open"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("need or offer")
        verbose_name_plural = _("needs and offers")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title
