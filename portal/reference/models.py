"""Alliance-wide reference tables kept by staff (public schema)."""

from __future__ import annotations

import datetime

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from tenants.models import Partner

from .choices import Category
from .names import name_keys

WMI_VALIDATOR = RegexValidator(r"^[A-HJ-NPR-Z0-9]{3}$", _("A WMI is 3 characters: digits and letters except I, O, Q."))
SMALL_MAKER_VALIDATOR = RegexValidator(r"^[A-HJ-NPR-Z0-9]{3}$", _("Positions 12–14 of the VIN: 3 characters."))


class WmiAssignment(models.Model):
    """A World Manufacturer Identifier that belongs to a member partner.

    Small makers (< 1,000 vehicles a year) have `9` in position 3 and the rest of their identifier in VIN
    positions 12–14 (`small_maker_code`); for everyone else that code is blank.
    """

    wmi = models.CharField(_("WMI"), max_length=3, validators=[WMI_VALIDATOR])
    small_maker_code = models.CharField(
        _("small-maker code (VIN 12–14)"), max_length=3, blank=True, validators=[SMALL_MAKER_VALIDATOR]
    )
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="wmi_assignments")
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("WMI assignment")
        verbose_name_plural = _("WMI register")
        ordering = ["wmi", "small_maker_code"]
        constraints = [
            models.UniqueConstraint(fields=["wmi", "small_maker_code"], name="one_owner_per_wmi"),
        ]

    def __str__(self) -> str:
        return f"{self.wmi}{'·' + self.small_maker_code if self.small_maker_code else ''} → {self.partner}"


# --- export compliance: rule tables and the screening list ----------------------------------------------------
# Every change is kept by django-simple-history; a table's version is the newest history id (see versions.py).

MARKET_ALL = "*"
MARKET_CODE_VALIDATOR = RegexValidator(
    r"^(\*|[A-Z]{2,10})$", _("An ISO country code (SA), a bloc code (EU, GCC, ASEAN) or * for every market.")
)


class RuleRowQuerySet(models.QuerySet):
    """Rule rows, with the one way to ask which are in force on a date."""

    def in_force_on(self, day: datetime.date) -> RuleRowQuerySet:
        """The rows in force on `day`: started on or before it, not ended before it (the end date is included)."""
        return self.filter(
            models.Q(effective_until__isnull=True) | models.Q(effective_until__gte=day), effective_from__lte=day
        )


class RuleRow(models.Model):
    """A row of a rule table: in force from a date (until an optional last day), with its source and a note, and
    every change kept (django-simple-history, one history table per concrete model).

    `Model.objects.in_force_on(day)` filters a table; `row.in_force_on(day)` asks the same of a row in memory
    (rule sets are read once per check and decided in Python). See docs/compliance.md, "Reference rule rows".
    """

    effective_from = models.DateField(_("effective from"))
    effective_until = models.DateField(_("effective until"), null=True, blank=True)
    source_reference = models.CharField(_("source"), max_length=300)
    note = models.CharField(_("note"), max_length=300, blank=True)
    history = HistoricalRecords(inherit=True)

    objects = RuleRowQuerySet.as_manager()

    # The message when the last day comes before the first (a table may word it for its rows).
    ends_before_start_message = _("The rule cannot end before it starts.")

    class Meta:
        abstract = True

    def in_force_on(self, day: datetime.date) -> bool:
        """Is this row in force on `day` (the same test as `RuleRowQuerySet.in_force_on`)?"""
        return self.effective_from <= day and (self.effective_until is None or self.effective_until >= day)

    def clean(self):
        super().clean()
        if self.effective_from and self.effective_until and self.effective_until < self.effective_from:
            raise ValidationError({"effective_until": self.ends_before_start_message})


# A model lists its own fields before the shared ones (forms, admin, exports by default), as before the base existed:
# inherited fields are copies that keep their creation order, so they are moved after every field defined later.
for _field in RuleRow._meta.local_fields:
    _field.creation_counter += 1_000_000
del _field


class MarketBloc(models.Model):
    """A group of countries that share market rules (EU, GCC, ASEAN, …)."""

    code = models.CharField(_("code"), max_length=10, unique=True, validators=[MARKET_CODE_VALIDATOR])
    name = models.CharField(_("name"), max_length=120)
    countries = ArrayField(models.CharField(max_length=2), verbose_name=_("member countries (ISO codes)"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("market bloc")
        verbose_name_plural = _("market blocs")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    def clean(self):
        unknown = sorted({code.upper() for code in self.countries} - set(dict(countries)))
        if unknown:
            raise ValidationError({"countries": _("Unknown country codes: %(codes)s") % {"codes": ", ".join(unknown)}})
        self.countries = sorted({code.upper() for code in self.countries})


class CertificateType(models.Model):
    """A kind of certificate or approval a market can require (UN 38.3, EU type approval, SASO CoC, …)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    max_validity_months = models.PositiveIntegerField(
        _("longest validity (months)"), null=True, blank=True, help_text=_("Blank: the certificate does not expire.")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("certificate type")
        verbose_name_plural = _("certificate types")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class RequirementEffect(models.TextChoices):
    """What a market requirement does to the verdict when its certificate is not valid."""

    BLOCK = "block", _("Blocks without a valid certificate")
    REVIEW = "review", _("Needs review without a valid certificate")
    NOTE = "note", _("A note only (not enforced yet)")


class RequirementDay(models.TextChoices):
    """The day a market requirement is checked on (in force, certificate valid)."""

    ARRIVAL = "arrival", _("the expected arrival")
    SHIPPING = "shipping", _("the shipping date")


class MarketRequirement(RuleRow):
    """A rule: vehicles of these categories going to this market need a valid certificate of this type (per
    model, or one per shipment attached to the shipment), checked on the arrival or the shipping date."""

    market = models.CharField(
        _("market"),
        max_length=10,
        validators=[MARKET_CODE_VALIDATOR],
        db_index=True,
        help_text=_("ISO country code, bloc code (EU, GCC, ASEAN) or * for every market."),
    )
    categories = ArrayField(
        models.CharField(max_length=8, choices=Category.choices),
        default=list,
        blank=True,
        verbose_name=_("vehicle categories"),
        help_text=_("Empty: every category."),
    )
    lithium_only = models.BooleanField(_("lithium batteries only"), default=False)
    min_battery_kwh = models.DecimalField(
        _("battery larger than (kWh)"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Applies only when the model's battery is larger than this; blank: any size."),
    )
    certificate_type = models.ForeignKey(
        CertificateType, on_delete=models.PROTECT, related_name="requirements", verbose_name=_("required certificate")
    )
    per_shipment = models.BooleanField(
        _("one per shipment"),
        default=False,
        help_text=_("A certificate issued for each shipment (e.g. SABER SCoC), attached to the shipment."),
    )
    valid_on = models.CharField(
        _("checked on"), max_length=8, choices=RequirementDay.choices, default=RequirementDay.ARRIVAL
    )
    effect = models.CharField(
        _("effect"), max_length=8, choices=RequirementEffect.choices, default=RequirementEffect.BLOCK
    )
    # The EU battery passport (Regulation (EU) 2023/1542 Art. 77): not a certificate of the model but a complete
    # passport for every battery the shipment's vehicles carry, checked by the battery passports' completeness.
    battery_passports = models.BooleanField(
        _("complete battery passports"),
        default=False,
        help_text=_(
            "Every battery fitted to the shipment's vehicles needs a complete passport (its effect from the start "
            "date; before it, incomplete passports need a review). No certificate is checked."
        ),
    )

    class Meta:
        verbose_name = _("market requirement")
        verbose_name_plural = _("market requirements")
        ordering = ["market", "certificate_type__code", "effective_from"]

    def __str__(self) -> str:
        scope = ", ".join(self.categories) or _("all categories")
        return f"{self.market} · {scope} → {self.certificate_type_id and self.certificate_type.code}"

    def clean(self):
        self.market = (self.market or "").strip().upper()
        known = self.market == MARKET_ALL or self.market in dict(countries)
        if not known and not MarketBloc.objects.filter(code=self.market).exists():
            raise ValidationError({"market": _("No country or market bloc %(code)s.") % {"code": self.market}})
        super().clean()
        self.categories = list(dict.fromkeys(self.categories))


class EmbargoSeverity(models.TextChoices):
    FULL = "full", _("Embargo: no exports (blocks)")
    PARTIAL = "partial", _("Restrictions: review each shipment")


class Embargo(RuleRow):
    """A destination that exports may not go to (full) or that needs a review (partial restrictions)."""

    country = CountryField(_("country"), db_index=True)
    severity = models.CharField(_("severity"), max_length=8, choices=EmbargoSeverity.choices)

    ends_before_start_message = _("The embargo cannot end before it starts.")

    class Meta:
        verbose_name = _("embargoed destination")
        verbose_name_plural = _("embargoed destinations")
        ordering = ["country", "effective_from"]

    def __str__(self) -> str:
        return f"{self.country} · {self.get_severity_display()}"


class ScreenedParty(models.Model):
    """An entry of the restricted-party screening list; `match_keys` are its names' normalised keys."""

    name = models.CharField(_("name"), max_length=300)
    aliases = ArrayField(models.CharField(max_length=300), default=list, blank=True, verbose_name=_("aliases"))
    country = CountryField(_("country"), blank=True)
    address = models.TextField(_("address"), blank=True)
    list_source = models.CharField(_("list source"), max_length=120, help_text=_("e.g. EU consolidated list"))
    source_id = models.CharField(_("entry id in the source"), max_length=80, blank=True)
    date_added = models.DateField(_("date added"), default=timezone.localdate)
    listed = models.BooleanField(
        _("listed"),
        default=True,
        help_text=_("Unticked: on the list for its owners only (a hit when listed parties own half of it or more)."),
    )
    owners = models.JSONField(
        _("owners"),
        default=list,
        blank=True,
        help_text=_('Who owns it, with shares in percent: [{"name": "…", "share": 30}, …]'),
    )
    # [[compact, sorted, han], …] for the name then each alias (portal.reference.names), kept current on save.
    match_keys = models.JSONField(default=list, editable=False)
    history = HistoricalRecords(excluded_fields=["match_keys"])

    class Meta:
        verbose_name = _("screened party")
        verbose_name_plural = _("screening list")
        ordering = ["name"]
        indexes = [models.Index(fields=["list_source", "source_id"], name="screened_source")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.aliases = [alias.strip() for alias in self.aliases if alias and alias.strip()]
        self.owners = self.owners or []  # an empty owners box in a form reads as null
        self.match_keys = name_keys(self.all_names())
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "match_keys"}
        super().save(*args, **kwargs)

    def all_names(self) -> list[str]:
        return [self.name, *self.aliases]

    def clean(self):
        problems = []
        owners = self.owners or []
        for owner in owners if isinstance(owners, list) else [None]:
            share = owner.get("share") if isinstance(owner, dict) else None
            if not isinstance(owner, dict) or not str(owner.get("name", "")).strip():
                problems.append(_("Each owner needs a name."))
            elif not isinstance(share, int | float) or not 0 < share <= 100:
                problems.append(_("Each owner's share is a number of percent, above 0 and at most 100."))
        if problems:
            raise ValidationError({"owners": sorted(set(problems))})


class ExportLicenceRule(RuleRow):
    """An exporting country's licence rule: goods under these HS codes need the exporter's valid licence covering
    the code and the destination (China's export licence for pure-electric passenger vehicles, …)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    origin = CountryField(_("exporting country"), help_text=_("Applies to partners based in this country."))
    hs_codes = ArrayField(
        models.CharField(max_length=13),
        verbose_name=_("HS codes covered"),
        help_text=_("A shipment whose HS code starts with one of these needs the licence."),
    )
    outside_hs_codes = ArrayField(
        models.CharField(max_length=13),
        default=list,
        blank=True,
        verbose_name=_("HS codes considered and outside"),
        help_text=_("Shipments under these codes are told that the rule does not apply, and why (below)."),
    )
    outside_note = models.CharField(_("why those are outside"), max_length=300, blank=True)
    model_certificates = ArrayField(
        models.SlugField(max_length=40),
        default=list,
        blank=True,
        verbose_name=_("certificate types each model needs"),
        help_text=_("Certificate type codes (e.g. ccc; miit-catalogue), valid on the shipping date."),
    )
    used_vehicle_days = models.PositiveIntegerField(
        _("registered less than (days) before export: used"),
        null=True,
        blank=True,
        help_text=_("Such vehicles need the manufacturer's after-sales confirmation letter; blank: no such rule."),
    )
    after_sales_outlets = models.BooleanField(
        _("after-sales outlets per destination"),
        default=False,
        help_text=_("The exporter lists after-sales service outlets in each destination country."),
    )

    class Meta:
        verbose_name = _("export licence rule")
        verbose_name_plural = _("export licence rules")
        ordering = ["origin", "code"]

    def __str__(self) -> str:
        return f"{self.origin} · {self.name}"

    def clean(self):
        super().clean()
        known = set(CertificateType.objects.values_list("code", flat=True))
        unknown = sorted(set(self.model_certificates) - known)
        if unknown:
            raise ValidationError(
                {"model_certificates": _("Unknown certificate types: %(codes)s") % {"codes": ", ".join(unknown)}}
            )


class ScreeningList(models.Model):
    """A restricted-party list the screening entries come from (by `list_source`): its source, its last update
    and how often it must be refreshed; past that, every check warns that the list is stale."""

    name = models.CharField(
        _("list"), max_length=120, unique=True, help_text=_("The entries' list source, e.g. EU consolidated list")
    )
    source_url = models.URLField(_("source"), blank=True)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    updated_on = models.DateField(_("last update"), default=timezone.localdate)
    refresh_days = models.PositiveIntegerField(
        _("refresh interval (days)"), default=7, help_text=_("After this many days without an update it is stale.")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("screening list source")
        verbose_name_plural = _("screening list sources")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DutyKind(models.TextChoices):
    CUSTOMS = "customs", _("Customs duty")
    COUNTERVAILING = "countervailing", _("Countervailing duty")


class ImportDutyRate(RuleRow):
    """An import duty of a market on goods of an origin: the customs duty, or a countervailing duty of a producer
    group (with its TARIC additional code) or of all others (residual), for the shipment's duty estimate."""

    market = models.CharField(_("market"), max_length=10, validators=[MARKET_CODE_VALIDATOR])
    origin = CountryField(_("origin"), blank=True, help_text=_("Blank: every origin."))
    hs_code = models.CharField(_("HS code"), max_length=13, help_text=_("Shipments whose HS code starts with it."))
    kind = models.CharField(_("kind"), max_length=16, choices=DutyKind.choices)
    producer = models.CharField(
        _("producer group"), max_length=200, blank=True, help_text=_("Blank: the residual rate (all others).")
    )
    taric_additional_code = models.CharField(_("TARIC additional code"), max_length=4, blank=True)
    excluded_categories = ArrayField(
        models.CharField(max_length=8, choices=Category.choices),
        default=list,
        blank=True,
        verbose_name=_("vehicle categories outside"),
        help_text=_("Vehicles of these categories do not pay it (e.g. L-category vehicles)."),
    )
    rate = models.DecimalField(_("rate (%)"), max_digits=5, decimal_places=2)
    needs_invoice_declaration = models.BooleanField(
        _("needs the commercial-invoice declaration"),
        default=False,
        help_text=_("Without it the residual rate applies."),
    )

    class Meta:
        verbose_name = _("import duty rate")
        verbose_name_plural = _("import duty rates")
        ordering = ["market", "hs_code", "kind", "producer"]

    def __str__(self) -> str:
        return f"{self.market} {self.hs_code} {self.kind} {self.producer or '*'} {self.rate}%"


class PriceUndertaking(RuleRow):
    """A producer's accepted price undertaking: a minimum import price per model and configuration, and an annual
    volume cap; imports that keep it are exempt from the countervailing duty."""

    market = models.CharField(_("market"), max_length=10, validators=[MARKET_CODE_VALIDATOR], default="EU")
    producer = models.CharField(_("producer group"), max_length=200)
    model = models.CharField(_("model"), max_length=200)
    configuration = models.CharField(_("configuration"), max_length=200)
    minimum_price = models.DecimalField(_("minimum import price (EUR)"), max_digits=12, decimal_places=2)
    annual_cap = models.PositiveIntegerField(_("annual volume cap (vehicles)"))

    class Meta:
        verbose_name = _("price undertaking")
        verbose_name_plural = _("price undertakings")
        ordering = ["producer", "model", "configuration"]

    def __str__(self) -> str:
        return f"{self.producer} · {self.model} {self.configuration}"


# Local-production offset schemes (Thailand EV 3.5) live in their own module; imported here so Django registers them.
from .offsets import OffsetExportWeight, OffsetRatio, OffsetScheme  # noqa: E402, F401
