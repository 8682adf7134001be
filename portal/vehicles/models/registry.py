"""Vehicle models (types) and the vehicles a partner produces, with their status history."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.functions import Reverse, Upper
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from portal.reference.choices import Category

from ..choices import BatteryChemistry, ChangeSource, Connectivity, VehicleStatus
from ..rxswin import RXSWIN_MAX_LENGTH, validate_rxswin


class VehicleModel(models.Model):
    """A type of vehicle the partner makes; certificates and rules apply per model."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    category = models.CharField(_("category"), max_length=8, choices=Category.choices, db_index=True)
    battery_chemistry = models.CharField(_("battery chemistry"), max_length=12, choices=BatteryChemistry.choices)
    battery_kwh = models.DecimalField(_("battery capacity (kWh)"), max_digits=7, decimal_places=2)
    range_km = models.PositiveIntegerField(_("range (km)"), null=True, blank=True)
    connectivity = ArrayField(
        models.CharField(max_length=16, choices=Connectivity.choices),
        default=list,
        blank=True,
        verbose_name=_("connectivity features"),
    )
    hs_code = models.CharField(_("HS code"), max_length=12, help_text=_("e.g. 8711.60 or 8703.80"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("vehicle model")
        verbose_name_plural = _("vehicle models")
        ordering = ["name"]
        # Search by any part of the name: UPPER(name) LIKE '%…%' (portal.search).
        indexes = [GinIndex(OpClass(Upper("name"), name="gin_trgm_ops"), name="vehicle_model_name_trgm")]

    def __str__(self) -> str:
        return self.name


class Vehicle(models.Model):
    """One produced vehicle, identified by its VIN."""

    vin = models.CharField(_("VIN"), max_length=17, unique=True)
    model = models.ForeignKey(VehicleModel, on_delete=models.PROTECT, related_name="vehicles", verbose_name=_("model"))
    production_date = models.DateField(_("production date"))
    plant = models.CharField(_("plant"), max_length=120, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=VehicleStatus.choices, default=VehicleStatus.PRODUCED)
    registration_country = CountryField(_("registration country"), blank=True)
    registration_region = models.CharField(_("registration region"), max_length=80, blank=True)
    plate = models.CharField(_("plate"), max_length=20, blank=True)
    registration_date = models.DateField(_("registration date"), null=True, blank=True)
    # UN R156: the maker's software identification number, where it records one (blank: not recorded). The
    # database default keeps raw inserts (imports, bulk loads) that do not name the column working.
    rxswin = models.CharField(
        _("RXSWIN"),
        max_length=RXSWIN_MAX_LENGTH,
        blank=True,
        default="",
        db_default="",
        validators=[validate_rxswin],
        help_text=_("The software identification number (UN R156) the maker recorded, e.g. R156-ABC-1.2.3."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("vehicle")
        verbose_name_plural = _("vehicles")
        ordering = ["-production_date", "vin"]
        indexes = [
            # Every list filter has an index (see the FilterSet); VIN prefix search uses the pattern index.
            models.Index(OpClass(Upper("vin"), name="varchar_pattern_ops"), name="vehicle_vin_prefix"),
            # Search by a VIN's last characters: reverse(vin) LIKE 'reversed suffix%' (portal.search).
            models.Index(OpClass(Reverse("vin"), name="text_pattern_ops"), name="vehicle_vin_suffix"),
            models.Index(fields=["status", "-production_date"], name="vehicle_status_date"),
            models.Index(fields=["-production_date", "vin"], name="vehicle_date_vin"),
            models.Index(fields=["model", "-production_date"], name="vehicle_model_date"),
            models.Index(fields=["registration_country", "registration_region"], name="vehicle_region"),
            models.Index(fields=["registration_date"], name="vehicle_registration_date"),
            # Offset ledgers count a country's plants' vehicles by production date (compliance.PlantLocation).
            models.Index(fields=["plant", "production_date"], name="vehicle_plant_date"),
        ]

    def __str__(self) -> str:
        return self.vin


class VehicleStatusChange(models.Model):
    """One step in a vehicle's life (a status change, or an import that changed its data): who, when, from where."""

    vehicle = models.ForeignKey(Vehicle, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=VehicleStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=VehicleStatus.choices)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    changed_at = models.DateTimeField(auto_now_add=True, db_index=True)
    source = models.CharField(max_length=8, choices=ChangeSource.choices, default=ChangeSource.WEB)
    note = models.CharField(max_length=300, blank=True)
    # The import run that made this change (created the vehicle, changed its status or its data).
    import_job = models.ForeignKey(
        "vehicles.ImportJob", on_delete=models.SET_NULL, null=True, blank=True, related_name="vehicle_changes"
    )

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["vehicle", "changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.vehicle_id}: {self.from_status or '—'} → {self.to_status}"
