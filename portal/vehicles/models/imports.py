"""Bulk imports of vehicles from CSV / XLSX files, and the rows they rejected."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import ImportMode, ImportPhase, ImportProblemLevel, ImportStatus


class ImportJob(models.Model):
    """One uploaded file and the Celery run that validates and loads it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    file = models.FileField(_("file"), upload_to="vehicle-imports/")
    original_name = models.CharField(_("file name"), max_length=255)
    # What the file holds: the pipeline's target (`importing.targets`): vehicles, or another domain's kind.
    kind = models.CharField(_("kind"), max_length=24, default="vehicles", db_index=True)
    size_bytes = models.BigIntegerField(default=0)
    market = models.CharField(
        _("target market"),
        max_length=8,
        default="CN",
        help_text=_("Decides whether a wrong VIN check digit is an error."),
    )
    mode = models.CharField(_("mode"), max_length=16, choices=ImportMode.choices, default=ImportMode.ALL_OR_NOTHING)
    dry_run = models.BooleanField(_("dry run"), default=False)
    status = models.CharField(
        _("status"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.QUEUED, db_index=True
    )
    phase = models.CharField(
        _("phase"), max_length=40, blank=True, choices=ImportPhase.choices, default=ImportPhase.WAITING
    )
    rows_total = models.PositiveIntegerField(default=0)
    rows_processed = models.PositiveIntegerField(default=0)
    rows_valid = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    rows_created = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    rows_unchanged = models.PositiveIntegerField(default=0)
    rows_warned = models.PositiveIntegerField(default=0)
    # A run that commits a dry run: the same stored file, checked and imported again (no second upload).
    committed_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="commits", verbose_name=_("dry run")
    )
    error_message = models.TextField(blank=True)
    celery_task_id = models.CharField(max_length=64, blank=True)
    # Runs started (a killed worker's run is redone) and when the run was last sent to the broker.
    attempts = models.PositiveSmallIntegerField(default=0)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("vehicle import")
        verbose_name_plural = _("vehicle imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"


class ImportRejection(models.Model):
    """A problem of one row: an error (the row is refused; a row may have several) or a warning (it is not)."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rejections")
    level = models.CharField(
        _("level"), max_length=8, choices=ImportProblemLevel.choices, default=ImportProblemLevel.ERROR
    )
    line = models.PositiveIntegerField(_("line"))
    column = models.CharField(_("column"), max_length=64, blank=True)
    value = models.CharField(_("value"), max_length=200, blank=True)
    reason = models.CharField(_("reason"), max_length=300)

    class Meta:
        verbose_name = _("rejected row")
        verbose_name_plural = _("rejected rows")
        ordering = ["job", "line", "id"]
        indexes = [models.Index(fields=["job", "level", "line"], name="rejection_job_level_line")]

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"
