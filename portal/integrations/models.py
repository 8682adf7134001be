"""Per-partner API keys (stored hashed, shown once)."""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey, BaseAPIKeyManager

from portal.api.scopes import READ_SCOPES, SCOPE_CHOICES
from tenants.models import Partner


def default_scopes() -> list[str]:
    """New keys read every domain and write nothing until someone grants it."""
    return list(READ_SCOPES)


class ApiKey(AbstractAPIKey):
    """A key an integrator uses; its partner is the only tenant it can reach."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="api_keys")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    scopes = ArrayField(
        models.CharField(max_length=32, choices=SCOPE_CHOICES),
        default=default_scopes,
        blank=True,
        verbose_name=_("scopes"),
        help_text=_("What the key may do, per domain: read, or write (which includes read)."),
    )

    objects = BaseAPIKeyManager()

    class Meta(AbstractAPIKey.Meta):
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created"]


class IdempotencyRecord(models.Model):
    """The first answer to a POST sent with an `Idempotency-Key`, replayed to every retry."""

    principal = models.CharField(max_length=64, help_text="SHA-256 of who sent it (API key or session user).")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    response_body = models.BinaryField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [models.UniqueConstraint(fields=["principal", "key"], name="one_answer_per_idempotency_key")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"


class RateWindow(models.Model):
    """Calls one caller made in one fixed time window (one upsert per API call; shared by every web process)."""

    key = models.CharField(max_length=200, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"


class WebhookEvent(models.TextChoices):
    VEHICLE_STATUS_CHANGED = "vehicle.status_changed", _("Vehicle status changed")
    IMPORT_FINISHED = "import.finished", _("Import finished")
    COMPLIANCE_VERDICT = "compliance.verdict", _("Compliance verdict")
    PROJECT_STAGE_CHANGED = "project.stage_changed", _("Project stage changed")
    STATISTICS_PUBLISHED = "statistics.published", _("Statistics published")
    PASSPORT_CHANGED = "battery.passport_changed", _("Battery passport changed")
    MEETING_CHANGED = "event.meeting_changed", _("Event meeting changed")


class WebhookEndpoint(models.Model):
    """A partner's URL that receives signed event deliveries."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(_("URL"), max_length=500)
    events = ArrayField(models.CharField(max_length=40, choices=WebhookEvent.choices), verbose_name=_("events"))
    secret = models.CharField(_("signing secret"), max_length=64)
    is_active = models.BooleanField(_("active"), default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["partner", "url"]
        indexes = [models.Index(fields=["partner", "is_active"], name="webhook_partner_active")]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event sent (or being sent) to one endpoint, with every attempt's outcome."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40, choices=WebhookEvent.choices)
    payload = models.JSONField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.CharField(max_length=2000, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.status})"
