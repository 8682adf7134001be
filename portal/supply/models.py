"""Monthly component purchases a partner reports: in all, and from local suppliers (partner schema)."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class SupplyReport(models.Model):
    """One month's component purchases; the local supply rate is local ÷ total."""

    month = models.DateField(_("month"), unique=True, help_text=_("The first day of the month reported."))
    total_value = models.DecimalField(
        _("all component purchases"), max_digits=16, decimal_places=2, validators=[MinValueValidator(0)]
    )
    local_value = models.DecimalField(
        _("from local suppliers"), max_digits=16, decimal_places=2, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    note = models.CharField(_("note"), max_length=300, blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("supply report")
        verbose_name_plural = _("supply reports")
        ordering = ["-month"]
        constraints = [
            models.CheckConstraint(condition=Q(local_value__lte=F("total_value")), name="supply_local_within_total"),
            models.CheckConstraint(condition=Q(total_value__gte=0) & Q(local_value__gte=0), name="supply_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"

    @property
    def local_rate(self) -> float | None:
        """Share of purchases from local suppliers, in percent."""
        return round(100 * float(self.local_value) / float(self.total_value), 1) if self.total_value else None
