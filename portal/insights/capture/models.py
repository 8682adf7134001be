"""The partner-schema side of statistics: the months this partner's writes changed (written by the triggers)."""

from django.db import models

from ..choices import Source


class Mark(models.Model):
    """A month of this partner's source data that changed since its figures were last computed."""

    source = models.CharField(max_length=16, choices=Source.choices)
    month = models.DateField()
    marked_at = models.DateTimeField(auto_now=True)

    class Meta:
        # Named in the triggers' function too (`triggers.MARK_TABLE`): the function is public, the table per schema.
        db_table = "insights_capture_mark"
        constraints = [models.UniqueConstraint(fields=["source", "month"], name="capture_mark_once")]

    def __str__(self) -> str:
        return f"{self.source} {self.month:%Y-%m}"
