"""A partner's batteries (partner schema): battery models, batteries, where they are fitted, their readings."""

from django.contrib.postgres.indexes import OpClass
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.vehicles.choices import BatteryChemistry

from .choices import BatteryCategory, BatteryStatus, ReadingSource


def _history_user(instance=None, request=None, **kwargs):
    """The person behind a change; None for an API key (its principal is no user) or no request."""
    from portal.core.caller import person_of

    return person_of(getattr(request, "user", None)) if request is not None else None


class BatteryModel(models.Model):
    """A battery model of the partner: the static passport values every battery of the model shares."""

    code = models.CharField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    category = models.CharField(_("category"), max_length=12, choices=BatteryCategory.choices, db_index=True)
    chemistry = models.CharField(_("chemistry"), max_length=12, choices=BatteryChemistry.choices, db_index=True)
    # Static attribute values kept per model, keyed by PassportAttribute.code.
    values = models.JSONField(_("passport values"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(get_user=_history_user)

    class Meta:
        verbose_name = _("battery model")
        verbose_name_plural = _("battery models")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Battery(models.Model):
    """One battery, identified by its ISO/IEC 15459 unique identifier; its passport's individual data."""

    # Unique through Meta.constraints, not `unique=True`: that would add a second pattern index (`…_like`) beside
    # battery_identifier_prefix, one more index every imported battery writes, read by no query.
    identifier = models.CharField(_("identifier"), max_length=100)
    category = models.CharField(_("category"), max_length=12, choices=BatteryCategory.choices)
    battery_model = models.ForeignKey(
        BatteryModel,
        on_delete=models.PROTECT,
        related_name="batteries",
        verbose_name=_("battery model"),
        db_index=False,  # battery_model_created leads with it
    )
    # The vehicle it is fitted to now; the fitments keep where it was before.
    vehicle = models.ForeignKey(
        "vehicles.Vehicle",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="batteries",
        verbose_name=_("vehicle"),
    )
    status = models.CharField(_("status"), max_length=16, choices=BatteryStatus.choices, default=BatteryStatus.ORIGINAL)
    # Static attribute values kept per battery, keyed by PassportAttribute.code.
    values = models.JSONField(_("passport values"), default=dict, blank=True)
    # Kept by the services (passport_missing): every mandatory static attribute of its category has a value.
    complete = models.BooleanField(_("passport complete"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The history is read by battery id and date only: its copies of the foreign keys need no index (each would be
    # written once per battery on every import of a million).
    history = HistoricalRecords(
        excluded_fields=["updated_at"], no_db_index=["battery_model", "vehicle"], get_user=_history_user
    )

    class Meta:
        verbose_name = _("battery")
        verbose_name_plural = _("batteries")
        ordering = ["-created_at", "-id"]
        indexes = [
            # Every list filter has an index (BatteryFilterSet); identifier prefix search uses the pattern index.
            models.Index(OpClass(Upper("identifier"), name="varchar_pattern_ops"), name="battery_identifier_prefix"),
            models.Index(fields=["-created_at", "-id"], name="battery_created"),
            models.Index(fields=["category", "-created_at"], name="battery_category_created"),
            models.Index(fields=["status", "-created_at"], name="battery_status_created"),
            models.Index(fields=["battery_model", "-created_at"], name="battery_model_created"),
            models.Index(fields=["complete", "-created_at"], name="battery_complete_created"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["identifier"],
                name="battery_identifier_unique",
                violation_error_message=_("A battery with this identifier exists."),
            )
        ]

    def __str__(self) -> str:
        return self.identifier


class BatteryImportBatch(models.Model):
    """The creation of the batteries one import run inserted without a vehicle, told once for the run.

    Such a battery's first history row (`+`: its state when created, when, by whom, why) would repeat the battery
    row itself, which nothing but the history changes without a history row; the import writes this one row per
    run instead of a million, and `creation.creations_write` writes a battery's `+` row from it just before the
    battery first changes or is deleted (`pre_save`, `pre_delete`, the import's update), so the history holds it
    from then on. Until then `selectors.battery_history` shows the same step from here and the battery row. The ids
    of one run are one range: the import holds the battery table locked while it inserts."""

    first_id = models.BigIntegerField()
    last_id = models.BigIntegerField()
    history_date = models.DateTimeField()
    history_user = models.ForeignKey("tenants.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    history_change_reason = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["first_id", "last_id"], name="battery_import_batch_ids")]

    def __str__(self) -> str:
        return f"{self.first_id}–{self.last_id}"


class BatteryFitment(models.Model):
    """A battery fitted to a vehicle from one date to another: a replacement keeps both histories."""

    battery = models.ForeignKey(
        Battery, on_delete=models.CASCADE, related_name="fitments", verbose_name=_("battery"), db_index=False
    )
    vehicle = models.ForeignKey(
        "vehicles.Vehicle",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="battery_fitments",
        verbose_name=_("vehicle"),
        db_index=False,  # battery_fitment_vehicle leads with it
    )
    # The VIN when fitted, so the history outlives the vehicle row.
    vin = models.CharField(_("VIN"), max_length=17)
    fitted_on = models.DateField(_("fitted on"))
    removed_on = models.DateField(_("removed on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("battery fitment")
        verbose_name_plural = _("battery fitments")
        ordering = ["battery", "-fitted_on", "-id"]
        indexes = [
            models.Index(fields=["battery", "-fitted_on"], name="battery_fitment_battery"),
            models.Index(fields=["vehicle", "-fitted_on"], name="battery_fitment_vehicle"),
        ]
        constraints = [
            # One open fitment per battery: fitting it elsewhere ends the current one first (battery_fit).
            models.UniqueConstraint(
                fields=["battery"], condition=Q(removed_on__isnull=True), name="battery_one_fitment"
            ),
            models.CheckConstraint(
                condition=Q(removed_on__isnull=True) | Q(removed_on__gte=models.F("fitted_on")),
                name="battery_fitment_dates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.battery_id} in {self.vin} from {self.fitted_on}"


class BatteryReading(models.Model):
    """Dynamic passport data measured at one time (state of health, fade, cycles, throughput, negative events)."""

    battery = models.ForeignKey(
        Battery, on_delete=models.CASCADE, related_name="readings", verbose_name=_("battery"), db_index=False
    )
    measured_at = models.DateTimeField(_("measured at"))
    state_of_health = models.DecimalField(
        _("state of health (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    capacity_fade = models.DecimalField(_("capacity fade (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    cycles = models.PositiveIntegerField(_("full cycles"), null=True, blank=True)
    energy_throughput = models.DecimalField(
        _("energy throughput (kWh)"), max_digits=14, decimal_places=3, null=True, blank=True
    )
    negative_event = models.TextField(_("negative event"), blank=True)
    source = models.CharField(_("source"), max_length=8, choices=ReadingSource.choices, default=ReadingSource.MANUAL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("battery reading")
        verbose_name_plural = _("battery readings")
        ordering = ["battery", "-measured_at", "-id"]
        indexes = [
            models.Index(fields=["battery", "-measured_at"], name="battery_reading_battery"),
            models.Index(fields=["source", "-measured_at"], name="battery_reading_source"),
        ]
        constraints = [
            # One reading per battery, time and source: an import or API retry updates instead of doubling.
            models.UniqueConstraint(fields=["battery", "measured_at", "source"], name="battery_reading_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.battery_id} at {self.measured_at:%Y-%m-%d %H:%M}"


class PassportLink(models.Model):
    """A signed passport link a manager issued (its id, group, expiry and recipient; never the token), so that
    it can be listed and revoked before it expires."""

    link_id = models.CharField(_("link id"), max_length=24, unique=True)
    battery = models.ForeignKey(
        Battery, on_delete=models.CASCADE, related_name="passport_links", verbose_name=_("battery")
    )
    group = models.CharField(_("access group"), max_length=24)
    issued_to = models.CharField(_("issued to"), max_length=200)
    issued_by = models.ForeignKey(
        "tenants.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("issued by")
    )
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("passport link")
        verbose_name_plural = _("passport links")
        ordering = ["battery", "-created_at"]
        indexes = [models.Index(fields=["battery", "-created_at"], name="passport_link_battery")]

    def __str__(self) -> str:
        return f"{self.link_id} ({self.group}) until {self.expires_at:%Y-%m-%d}"
