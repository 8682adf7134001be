"""Local-production offset schemes (Thailand's EV 3.5): who imported subsidised vehicles produces locally to offset
them, at a ratio per deadline, with exported locally made vehicles counting more. Rule rows, kept like the other
rule tables (source, effective dates, every change in the history); `portal.compliance.offsets` computes a
partner's ledger from them. Imported at the end of `models.py` (Django registers models from there; `RuleRow` is
defined by then).
"""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from .models import RuleRow


class OffsetScheme(models.Model):
    """A subsidy scheme whose imports must be offset by local production in its country (e.g. Thailand EV 3.5)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    country = CountryField(_("country"), help_text=_("Imports into it and production in it count."))
    imports_from = models.DateField(_("subsidised imports from"))
    imports_until = models.DateField(_("subsidised imports until"))
    production_from = models.DateField(
        _("local production counts from"), help_text=_("Vehicles made in the country before this day do not count.")
    )
    source_reference = models.CharField(_("source"), max_length=300)
    note = models.CharField(_("note"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("offset scheme")
        verbose_name_plural = _("offset schemes")
        ordering = ["country", "code"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.imports_from and self.imports_until and self.imports_until < self.imports_from:
            raise ValidationError({"imports_until": _("The import window cannot end before it starts.")})


class OffsetRatio(RuleRow):
    """How many locally made vehicles each subsidised import needs by a deadline (EV 3.5: 2 by the end of 2026,
    3 by the end of 2027)."""

    scheme = models.ForeignKey(OffsetScheme, on_delete=models.CASCADE, related_name="ratios", verbose_name=_("scheme"))
    deadline = models.DateField(_("produced by"))
    ratio = models.DecimalField(
        _("local vehicles per subsidised import"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )

    class Meta:
        verbose_name = _("offset ratio")
        verbose_name_plural = _("offset ratios")
        ordering = ["scheme", "deadline"]

    def __str__(self) -> str:
        return f"{self.scheme_id and self.scheme.code} {self.ratio}:1 by {self.deadline}"


class OffsetExportWeight(RuleRow):
    """What a locally made vehicle exported from the scheme's country counts, for exports in the row's dates
    (`effective_from` … `effective_until`; EV 3.5: 1.5 since the EV Board's decision of 2025-07-30)."""

    scheme = models.ForeignKey(
        OffsetScheme, on_delete=models.CASCADE, related_name="export_weights", verbose_name=_("scheme")
    )
    weight = models.DecimalField(
        _("an exported vehicle counts"), max_digits=4, decimal_places=2, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("offset export weight")
        verbose_name_plural = _("offset export weights")
        ordering = ["scheme", "effective_from"]

    def __str__(self) -> str:
        return f"{self.scheme_id and self.scheme.code} ×{self.weight} from {self.effective_from}"
