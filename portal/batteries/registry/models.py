"""Alliance-wide battery passport tables (public schema): the attribute list and where each passport lives."""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.batteries.choices import AccessGroup, Aspect, BatteryCategory, Behaviour, Granularity


class PassportAttribute(models.Model):
    """One attribute of the BatteryPass attribute list (loaded from its xlsx, never typed in)."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True, help_text=_("The list's # column."))
    code = models.SlugField(_("attribute id"), max_length=120, unique=True)
    chapter = models.CharField(_("DIN DKE Spec 99100 chapter"), max_length=20, blank=True)
    aspect = models.CharField(_("aspect"), max_length=32, choices=Aspect.choices, db_index=True)
    subcategory = models.CharField(_("sub-category"), max_length=200, blank=True)
    name = models.CharField(_("name"), max_length=200)
    definition = models.TextField(_("definition"), blank=True)
    regulation_reference = models.CharField(_("Annex XIII reference"), max_length=300, blank=True)
    unit = models.CharField(_("unit"), max_length=120, blank=True)
    data_format = models.CharField(_("data format"), max_length=120, blank=True)
    # Categories where the Battery Regulation makes it mandatory ("x") or where it is voluntary ("o").
    mandatory_for = ArrayField(
        models.CharField(max_length=12, choices=BatteryCategory.choices),
        default=list,
        blank=True,
        verbose_name=_("mandatory for"),
    )
    voluntary_for = ArrayField(
        models.CharField(max_length=12, choices=BatteryCategory.choices),
        default=list,
        blank=True,
        verbose_name=_("voluntary for"),
    )
    behaviour = models.CharField(_("static or dynamic"), max_length=8, choices=Behaviour.choices)
    access = models.CharField(_("access group"), max_length=24, choices=AccessGroup.choices, db_index=True)
    access_text = models.CharField(_("access rights as listed"), max_length=200, blank=True)
    granularity = models.CharField(_("kept per"), max_length=8, choices=Granularity.choices)

    class Meta:
        verbose_name = _("passport attribute")
        verbose_name_plural = _("passport attributes")
        ordering = ["number"]
        indexes = [GinIndex(fields=["mandatory_for"], name="passport_attr_mandatory")]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"

    @property
    def mandatory(self) -> bool:
        return bool(self.mandatory_for)

    @property
    def categories(self) -> list[str]:
        """The categories the attribute applies to (mandatory or voluntary)."""
        return [c for c in BatteryCategory.values if c in self.mandatory_for or c in self.voluntary_for]


class PassportIndex(models.Model):
    """Which partner's schema holds the passport of an identifier: the public host's one indexed lookup."""

    # Looked up by the exact (upper-case) identifier only: unique through Meta.constraints, without the pattern
    # index `unique=True` would add; passport_index_partner serves the partner key, so the foreign key has no index
    # of its own.
    identifier = models.CharField(_("battery identifier"), max_length=100)
    partner = models.ForeignKey(
        "tenants.Partner",
        on_delete=models.CASCADE,
        related_name="battery_passports",
        verbose_name=_("partner"),
        db_index=False,
    )
    battery_id = models.BigIntegerField(_("battery id in the partner's schema"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("passport index entry")
        verbose_name_plural = _("passport index")
        indexes = [models.Index(fields=["partner", "battery_id"], name="passport_index_partner")]
        constraints = [models.UniqueConstraint(fields=["identifier"], name="passport_index_identifier_unique")]

    def __str__(self) -> str:
        return self.identifier
