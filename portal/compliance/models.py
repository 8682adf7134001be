"""A partner's export compliance: certificates, shipments, and the stored checks (verdicts) of each shipment."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from portal.reference.models import CertificateType, OffsetScheme
from portal.vehicles.models import Vehicle, VehicleModel
from portal.vehicles.rxswin import RXSWIN_MAX_LENGTH, validate_rxswin

from .choices import Incoterm, ReleaseRequestStatus, ShipmentStatus, Trigger, Verdict
from .storage import certificate_storage

HS_CODE_VALIDATOR = RegexValidator(
    r"^\d{4}(\.\d{2}){1,3}$", _("An HS code such as 8711.60, 8703.80 or 8507.60 (digits and dots).")
)


class Certificate(models.Model):
    """A certificate or approval the partner holds for some of its vehicle models, with its document."""

    certificate_type = models.ForeignKey(
        CertificateType, on_delete=models.PROTECT, related_name="+", verbose_name=_("type")
    )
    number = models.CharField(_("number"), max_length=120)
    issuing_body = models.CharField(_("issuing body"), max_length=200)
    vehicle_models = models.ManyToManyField(VehicleModel, related_name="certificates", verbose_name=_("vehicle models"))
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True, help_text=_("Blank: it does not expire."))
    file = models.FileField(_("document"), storage=certificate_storage, upload_to="certificates/", blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    # UN R156: the RXSWINs the approval covers (empty: none listed); the check then asks for a review of vehicles
    # of its models whose recorded RXSWIN no valid approval lists.
    rxswins = ArrayField(
        models.CharField(max_length=RXSWIN_MAX_LENGTH, validators=[validate_rxswin]),
        default=list,
        blank=True,
        verbose_name=_("RXSWINs covered"),
        help_text=_("For a UN R156 approval: the software identification numbers it covers (optional)."),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["valid_to", "number"]
        indexes = [
            models.Index(fields=["valid_to"], name="certificate_valid_to"),
            models.Index(fields=["certificate_type", "valid_to"], name="certificate_type_valid_to"),
            # Search by any part of the number: UPPER(number) LIKE '%…%' (portal.search).
            GinIndex(OpClass(Upper("number"), name="gin_trgm_ops"), name="certificate_number_trgm"),
        ]

    def __str__(self) -> str:
        return f"{self.certificate_type_id and self.certificate_type.code} {self.number}"


class CertificateWarning(models.Model):
    """An expiry warning sent for a certificate at one threshold (kept so each is sent once)."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="warnings")
    days_before = models.PositiveIntegerField()
    valid_to = models.DateField(help_text="The expiry date warned about; a renewed certificate is warned again.")
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "days_before", "valid_to"], name="one_warning_per_certificate_threshold"
            )
        ]

    def __str__(self) -> str:
        return f"{self.certificate_id}: {self.days_before} days before {self.valid_to}"


class ExportLicence(models.Model):
    """An export licence the partner holds (e.g. China's licence for pure-electric passenger vehicles)."""

    number = models.CharField(_("number"), max_length=80)
    issued_by = models.CharField(_("issued by"), max_length=200, blank=True)
    hs_codes = ArrayField(
        models.CharField(max_length=13, validators=[HS_CODE_VALIDATOR]),
        verbose_name=_("HS codes"),
        help_text=_("The licence covers shipments whose HS code starts with one of these."),
    )
    destinations = ArrayField(models.CharField(max_length=2), verbose_name=_("destination countries (ISO codes)"))
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("export licence")
        verbose_name_plural = _("export licences")
        ordering = ["-valid_to", "number"]

    def __str__(self) -> str:
        return self.number


class ExportAuthorisation(models.Model):
    """A manufacturer's authorisation for the partner to export its vehicles as a trader."""

    manufacturer = models.CharField(_("manufacturer"), max_length=200)
    number = models.CharField(_("number"), max_length=80, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("export authorisation")
        verbose_name_plural = _("export authorisations")
        ordering = ["manufacturer", "-valid_to"]

    def __str__(self) -> str:
        return f"{self.manufacturer} ({self.valid_from} – {self.valid_to})"


class AfterSalesOutlet(models.Model):
    """An after-sales service outlet in a destination country, as the export licence application lists it."""

    country = CountryField(_("country"))
    name = models.CharField(_("name"), max_length=200)
    address = models.TextField(_("address"))
    contact = models.CharField(_("contact"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("after-sales outlet")
        verbose_name_plural = _("after-sales outlets")
        ordering = ["country", "name"]

    def __str__(self) -> str:
        return f"{self.country} · {self.name}"


class Shipment(models.Model):
    """An export shipment: where it goes, to whom, and which vehicles; its latest check decides if it may ship."""

    reference = models.CharField(_("reference"), max_length=40, blank=True)
    origin = CountryField(
        _("exported from"),
        blank=True,
        help_text=_("The country the vehicles leave from (e.g. TH for vehicles made in Thailand); blank: China."),
    )
    destination = CountryField(_("destination country"))
    consignee_name = models.CharField(_("consignee"), max_length=300)
    consignee_address = models.TextField(_("consignee address"), blank=True)
    consignee_country = CountryField(_("consignee country"))
    incoterm = models.CharField(_("Incoterm"), max_length=3, choices=Incoterm.choices)
    hs_code = models.CharField(_("HS code"), max_length=13, validators=[HS_CODE_VALIDATOR])
    expected_arrival = models.DateField(_("expected arrival"))
    status = models.CharField(_("status"), max_length=10, choices=ShipmentStatus.choices, default=ShipmentStatus.OPEN)
    verdict = models.CharField(_("verdict"), max_length=12, choices=Verdict.choices, blank=True)
    latest_check = models.ForeignKey(
        "ShipmentCheck", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    release = models.ForeignKey(
        "ShipmentOverride",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The officers' release of the latest check, if any (kept by the services with each check).",
    )
    ships_on = models.DateField(
        _("shipping date"), null=True, blank=True, help_text=_("Export licences must be valid on it; blank: today.")
    )
    manufacturer = models.CharField(
        _("manufacturer (when you export as its authorised trader)"),
        max_length=200,
        blank=True,
        help_text=_("Blank: you are the vehicles' manufacturer."),
    )
    after_sales_letter = models.CharField(
        _("manufacturer's after-sales confirmation letter (reference)"),
        max_length=120,
        blank=True,
        help_text=_("Needed for vehicles registered shortly before export (used vehicles)."),
    )
    shipment_certificate = models.CharField(
        _("shipment certificate of conformity (reference)"),
        max_length=120,
        blank=True,
        help_text=_("Issued for this shipment before arrival where the destination requires one (e.g. SABER SCoC)."),
    )
    producer = models.CharField(
        _("producer group"),
        max_length=200,
        blank=True,
        help_text=_("As in the destination's duty tables (e.g. BYD, Geely); blank: all others."),
    )
    taric_additional_code = models.CharField(_("TARIC additional code"), max_length=4, blank=True)
    invoice_price = models.DecimalField(
        _("invoice price per vehicle (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    invoice_declaration = models.BooleanField(
        _("the commercial invoice carries the producer's declaration"),
        default=False,
        help_text=_("Needed for a company rate of countervailing duty; without it the residual rate applies."),
    )
    price_undertaking_id = models.PositiveIntegerField(
        _("price undertaking (id)"), null=True, blank=True, help_text=_("The accepted undertaking it ships under.")
    )
    vehicle_count = models.PositiveIntegerField(_("vehicles"), default=0)
    vehicles = models.ManyToManyField(Vehicle, through="ShipmentVehicle", related_name="shipments")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    shipped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="shipment_status_created"),
            models.Index(fields=["verdict", "-created_at"], name="shipment_verdict_created"),
            models.Index(fields=["destination", "-created_at"], name="shipment_destination_created"),
            models.Index(fields=["expected_arrival"], name="shipment_arrival"),
            models.Index(fields=["-created_at", "-id"], name="shipment_created"),
            # Search and the list's reference filter: UPPER(reference) LIKE '…%' or '%…%' (portal.search).
            GinIndex(OpClass(Upper("reference"), name="gin_trgm_ops"), name="shipment_reference_trgm"),
        ]

    def __str__(self) -> str:
        return self.reference or f"#{self.pk}"

    @property
    def label(self) -> str:
        return self.reference or f"#{self.pk}"

    @property
    def released(self) -> bool:
        """Its latest check is blocked or needs review, and compliance officers released it."""
        return self.release_id is not None


class ShipmentVehicle(models.Model):
    """A vehicle on a shipment."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="items")
    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="shipment_items")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shipment", "vehicle"], name="vehicle_once_per_shipment")]

    def __str__(self) -> str:
        return f"{self.shipment_id}: {self.vehicle_id}"


class ShipmentCheck(models.Model):
    """One run of the check: the verdict, every reason, and the versions of the tables it used (append-only)."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="checks")
    verdict = models.CharField(_("verdict"), max_length=12, choices=Verdict.choices)
    reasons = models.JSONField(_("reasons"), default=list)
    rules_version = models.PositiveBigIntegerField(_("rule tables version"))
    screening_version = models.PositiveBigIntegerField(_("screening list version"))
    versions = models.JSONField(default=dict, help_text="Newest history id of each reference table used.")
    thresholds = models.JSONField(default=dict)
    checked_on = models.DateField(help_text="The day the check was made for (certificates valid today, …).")
    expected_arrival = models.DateField()
    destination = models.CharField(max_length=2)
    consignee_name = models.CharField(max_length=300)
    vehicle_count = models.PositiveIntegerField(default=0)
    trigger = models.CharField(max_length=12, choices=Trigger.choices, default=Trigger.MANUAL)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    checked_at = models.DateTimeField(auto_now_add=True, db_index=True)
    duration_ms = models.PositiveIntegerField(default=0)
    released = models.BooleanField(
        default=False, help_text="Compliance officers released this check (the one change a stored check gets)."
    )

    class Meta:
        verbose_name = _("shipment check")
        verbose_name_plural = _("shipment checks")
        ordering = ["-checked_at", "-id"]
        indexes = [models.Index(fields=["shipment", "-checked_at"], name="check_shipment_time")]

    def __str__(self) -> str:
        return f"{self.shipment_id}: {self.verdict} ({self.checked_at:%Y-%m-%d %H:%M})"


class ShipmentOverride(models.Model):
    """A compliance officer's release of a blocked or needs-review check, with the written reason (append-only)."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="overrides")
    check_run = models.ForeignKey(ShipmentCheck, on_delete=models.PROTECT, related_name="overrides")
    verdict = models.CharField(max_length=12, choices=Verdict.choices, help_text="The verdict that was overridden.")
    reason_codes = models.JSONField(default=list, help_text="The reasons released, as check keys.")
    reason = models.TextField(_("reason"))
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    officer_email = models.EmailField(help_text="Kept as it was when the override was made.")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_by_email = models.EmailField(blank=True, help_text="The second officer (four-eyes), as it was then.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("override")
        verbose_name_plural = _("overrides")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.shipment_id}: {self.verdict} released by {self.officer_email}"


class ReleaseRequest(models.Model):
    """A compliance officer's request to release a check that a second officer must approve (four-eyes)."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="release_requests")
    check_run = models.ForeignKey(ShipmentCheck, on_delete=models.PROTECT, related_name="release_requests")
    verdict = models.CharField(max_length=12, choices=Verdict.choices)
    reason_codes = models.JSONField(default=list, help_text="The reasons to release, as check keys.")
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_by_email = models.EmailField()
    status = models.CharField(
        _("status"), max_length=10, choices=ReleaseRequestStatus.choices, default=ReleaseRequestStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_by_email = models.EmailField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("note"), blank=True)
    override = models.OneToOneField(
        ShipmentOverride, on_delete=models.SET_NULL, null=True, blank=True, related_name="request"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("release request")
        verbose_name_plural = _("release requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shipment"],
                condition=models.Q(status="pending"),
                name="one_pending_release_request_per_shipment",
            )
        ]

    def __str__(self) -> str:
        return f"{self.shipment_id}: release requested by {self.requested_by_email} ({self.status})"


class ScreeningDismissal(models.Model):
    """An officer's finding that a screening hit is not the listed party: while the list entry and the consignee
    stay as they were (their fingerprints), the pair is not raised again; revocable, audited."""

    entry_id = models.PositiveIntegerField(help_text="The screening-list entry (reference.ScreenedParty, public).")
    entry_name = models.CharField(_("list entry"), max_length=300)
    entry_fingerprint = models.CharField(max_length=64, help_text="The entry's names, country and address, hashed.")
    consignee_name = models.CharField(_("consignee"), max_length=300)
    consignee_country = CountryField(_("consignee country"), blank=True)
    consignee_fingerprint = models.CharField(max_length=64, help_text="The consignee's name and country, hashed.")
    reason = models.TextField(_("reason"))
    shipment = models.ForeignKey(
        Shipment, on_delete=models.SET_NULL, null=True, blank=True, related_name="screening_dismissals"
    )
    dismissed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    dismissed_by_email = models.EmailField()
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_by_email = models.EmailField(blank=True)

    class Meta:
        verbose_name = _("dismissed screening hit")
        verbose_name_plural = _("dismissed screening hits")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry_id", "entry_fingerprint", "consignee_fingerprint"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_active_dismissal_per_pair",
            )
        ]

    def __str__(self) -> str:
        return f"{self.consignee_name} is not {self.entry_name} ({self.dismissed_by_email})"


class SubsidisedImport(models.Model):
    """Vehicles the partner imported under a subsidy scheme that local production must offset (Thailand EV 3.5)."""

    scheme = models.ForeignKey(OffsetScheme, on_delete=models.PROTECT, related_name="+", verbose_name=_("scheme"))
    model_name = models.CharField(_("model"), max_length=200)
    quantity = models.PositiveIntegerField(_("vehicles"))
    imported_on = models.DateField(_("import date"))
    reference = models.CharField(_("customs or subsidy reference"), max_length=80, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("subsidised import")
        verbose_name_plural = _("subsidised imports")
        ordering = ["-imported_on", "-id"]
        indexes = [models.Index(fields=["scheme", "-imported_on"], name="subsidised_import_scheme_date")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.model_name} ({self.imported_on})"


class PlantLocation(models.Model):
    """Where one of the partner's plants is, by the plant name its vehicles carry in the registry: the offset
    ledger counts the vehicles of the plants in the scheme's country."""

    plant = models.CharField(_("plant (as in the vehicle registry)"), max_length=120, unique=True)
    country = CountryField(_("country"), db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("plant location")
        verbose_name_plural = _("plant locations")
        ordering = ["country", "plant"]

    def __str__(self) -> str:
        return f"{self.plant} ({self.country})"
