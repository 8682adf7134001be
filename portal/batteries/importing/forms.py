"""The upload form of the battery import page."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from portal.core.uploads import MAX_UPLOAD_BYTES
from portal.vehicles.choices import ImportMode

from .targets import BATTERIES, READINGS

KIND_CHOICES = [(BATTERIES, _("Batteries")), (READINGS, _("Battery readings"))]


class BatteryImportForm(forms.Form):
    """File, what it holds (batteries or readings), mode and dry run of a new battery import."""

    file = forms.FileField(
        label=_("File"),
        help_text=format_lazy(
            _("CSV (UTF-8, UTF-16 or GBK; comma, semicolon or tab) or XLSX with a header row; at most {mb} MB."),
            mb=MAX_UPLOAD_BYTES // (1024 * 1024),
        ),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".csv,.txt,.tsv,.xlsx"}),
    )
    kind = forms.ChoiceField(
        label=_("The file holds"),
        choices=KIND_CHOICES,
        initial=BATTERIES,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    mode = forms.ChoiceField(
        label=_("Mode"),
        choices=ImportMode.choices,
        initial=ImportMode.ALL_OR_NOTHING,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: check the file and report, change nothing"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
