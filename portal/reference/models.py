"""Alliance-wide reference tables kept by staff (public schema)."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.models import Partner

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
