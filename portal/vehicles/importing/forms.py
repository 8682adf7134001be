"""The upload form of the import pages: one form for every kind, built from the targets its page serves."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from portal.core.uploads import MAX_UPLOAD_BYTES

from ..choices import ImportMode
from .targets import ImportTarget


def market_choices() -> list[tuple[str, str]]:
    return [("EU", _("European Union")), *((code, name) for code, name in countries)]


class ImportUploadForm(forms.Form):
    """File, mode and dry run of a new import; what the file holds when the page takes several kinds (batteries or
    their readings), and the target market when the page's kinds ask for one (the vehicles' VIN rules)."""

    file = forms.FileField(
        label=_("File"),
        help_text=format_lazy(
            _("CSV (UTF-8, UTF-16 or GBK; comma, semicolon or tab) or XLSX with a header row; at most {mb} MB."),
            mb=MAX_UPLOAD_BYTES // (1024 * 1024),
        ),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".csv,.txt,.tsv,.xlsx"}),
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

    def __init__(self, *args, targets: list[ImportTarget], **kwargs):
        super().__init__(*args, **kwargs)
        self.targets = targets
        self.page = targets[0].page
        if len(targets) > 1:
            self.fields["kind"] = forms.ChoiceField(
                label=_("The file holds"),
                choices=[(target.kind, target.label) for target in targets],
                initial=targets[0].kind,
                widget=forms.Select(attrs={"class": "form-select"}),
            )
        if self.page.market is None:
            self.fields["market"] = forms.ChoiceField(
                label=_("Target market"),
                choices=market_choices(),
                initial="CN",
                help_text=_("China and North America require a correct VIN check digit; elsewhere it is a warning."),
                widget=forms.Select(attrs={"class": "form-select"}),
            )
        self.order_fields(["file", "kind", "market", "mode", "dry_run"])

    def job_options(self) -> dict:
        """The cleaned choices as `import_job_create` takes them (besides the user and the file)."""
        data = self.cleaned_data
        return {
            "kind": data.get("kind", self.targets[0].kind),
            "market": data.get("market", self.page.market),
            "mode": data["mode"],
            "dry_run": data["dry_run"],
        }
