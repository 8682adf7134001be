"""A partner's private notes on collaboration projects (partner schema)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ProjectNote(models.Model):
    """A private note of this partner on a shared project; lives in the partner's own schema."""

    # A plain id, not a foreign key: a public row that partner rows cascade from cannot be deleted (TENANCY.md).
    project_id = models.BigIntegerField(db_index=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    text = models.TextField(_("note"), max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("private note")
        verbose_name_plural = _("private notes")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.text[:50]
