"""The upload form of the import page."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from portal.core.uploads import MAX_UPLOAD_BYTES

from ..choices import ImportMode


def market_choices() -> list[tuple[str, str]]:
    return [("EU", _("European Union")), *((code, name) for code, name in countries)]


class ImportUploadForm(forms.Form):
    """File, target market, mode and dry run of a new import."""

    file = forms.FileField(
        label=_("File"),
        help_text=format_lazy(
            _("CSV (UTF-8, UTF-16 or GBK; comma, semicolon or tab) or XLSX with a header row; at most {mb} MB."),
            mb=MAX_UPLOAD_BYTES // (1024 * 1024),
        ),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".csv,.txt,.tsv,.xlsx"}),
    )
    market = forms.ChoiceField(
        label=_("Target market"),
        initial="CN",
        help_text=_("China and North America require a correct VIN check digit; elsewhere it is a warning."),
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["market"].choices = market_choices()
