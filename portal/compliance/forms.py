"""Forms of the compliance pages; they only collect input, the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from portal.core.forms import DateInput, StyledForm, style_widgets
from portal.reference.models import CertificateType, PriceUndertaking
from portal.vehicles.models import VehicleModel
from portal.vehicles.rxswin import rxswin_list_parse

from .choices import COMMON_HS_CODES, Incoterm
from .models import Certificate, Shipment
from .services.shipments import SHIPMENT_FIELDS


class ShipmentForm(StyledForm, forms.ModelForm):
    destination = forms.ChoiceField(label=_("Destination country"), choices=[("", "—"), *countries])
    consignee_country = forms.ChoiceField(label=_("Consignee country"), choices=[("", "—"), *countries])
    incoterm = forms.ChoiceField(label=_("Incoterm"), choices=Incoterm.choices)
    hs_code = forms.CharField(
        label=_("HS code"),
        max_length=13,
        help_text=_(
            "8711.60 electric motorcycles, mopeds and cycles; 8703.80 battery-electric cars; "
            "8507.60 lithium-ion accumulators."
        ),
    )

    class Meta:
        model = Shipment
        fields = list(SHIPMENT_FIELDS)
        widgets = {
            "expected_arrival": DateInput,
            "ships_on": DateInput,
            "consignee_address": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reference"].help_text = _("Blank: one is given (SHP-year-number).")
        self.fields["hs_code"].widget.attrs["list"] = "hs-codes"
        # The undertaking is a row of the alliance's rule tables (public schema): chosen by name, stored by id.
        self.fields["price_undertaking_id"] = forms.TypedChoiceField(
            label=_("Price undertaking"),
            coerce=int,
            empty_value=None,
            required=False,
            choices=[("", "—"), *((u.pk, str(u)) for u in PriceUndertaking.objects.order_by("producer", "model"))],
            help_text=_("The accepted undertaking it ships under (exempt from countervailing duty while it is kept)."),
        )
        style_widgets(self)
        self.hs_codes = COMMON_HS_CODES

    def _post_clean(self):
        # The service validates the whole shipment; the form only checks its fields.
        pass


class VehicleListForm(StyledForm, forms.Form):
    vins = forms.CharField(
        label=_("VINs"),
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
        help_text=_("One per line, or separated by commas or spaces."),
    )


class VehicleFileForm(StyledForm, forms.Form):
    file = forms.FileField(label=_("File (CSV, TXT or XLSX) with a VIN column"))


class OverrideForm(StyledForm, forms.Form):
    reason = forms.CharField(
        label=_("Written reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=20,
        max_length=4000,
        help_text=_("Why the shipment may go despite the verdict (kept in the audit trail)."),
    )


class CertificateForm(StyledForm, forms.ModelForm):
    certificate_type = forms.ModelChoiceField(label=_("Type"), queryset=CertificateType.objects.order_by("name"))
    vehicle_models = forms.ModelMultipleChoiceField(
        label=_("Vehicle models it covers"),
        queryset=VehicleModel.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
    )
    file = forms.FileField(label=_("Document (PDF or image, up to 10 MB)"), required=False)
    rxswins = forms.CharField(
        label=_("RXSWINs covered"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
        help_text=_(
            "For a UN R156 approval: the software identification numbers it covers, separated by semicolons or "
            "new lines (optional). Vehicles of its models whose recorded RXSWIN is not listed need a review."
        ),
    )

    class Meta:
        model = Certificate
        fields = ["certificate_type", "number", "issuing_body", "vehicle_models", "valid_from", "valid_to", "note"]
        widgets = {"valid_from": DateInput, "valid_to": DateInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["rxswins"] = "; ".join(self.instance.rxswins)

    def clean_rxswins(self) -> list[str]:
        # Validated by the service (the model's field), which names the RXSWIN at fault.
        return rxswin_list_parse(self.cleaned_data["rxswins"].replace("\n", ";"))

    def _post_clean(self):
        pass


class _CodesField(forms.CharField):
    """A list typed as text: separated by commas, semicolons or spaces."""

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [item for item in text.replace(";", " ").replace(",", " ").split() if item]


class ExportLicenceForm(StyledForm, forms.Form):
    number = forms.CharField(label=_("Number"), max_length=80)
    issued_by = forms.CharField(label=_("Issued by"), max_length=200, required=False)
    hs_codes = _CodesField(label=_("HS codes"), help_text=_("e.g. 8703.80.10.90; separated by commas."))
    destinations = _CodesField(label=_("Destination countries"), help_text=_("ISO codes, e.g. SA, AE."))
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput)
    valid_to = forms.DateField(label=_("Valid to"), widget=DateInput)


class ExportAuthorisationForm(StyledForm, forms.Form):
    manufacturer = forms.CharField(label=_("Manufacturer"), max_length=200)
    number = forms.CharField(label=_("Number"), max_length=80, required=False)
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput)
    valid_to = forms.DateField(label=_("Valid to"), widget=DateInput)


class AfterSalesOutletForm(StyledForm, forms.Form):
    country = forms.ChoiceField(label=_("Country"), choices=[("", "—"), *countries])
    name = forms.CharField(label=_("Name"), max_length=200)
    address = forms.CharField(label=_("Address"), widget=forms.Textarea(attrs={"rows": 2}))
    contact = forms.CharField(label=_("Contact"), max_length=200)


class SubsidisedImportForm(StyledForm, forms.Form):
    model_name = forms.CharField(label=_("Model"), max_length=200)
    quantity = forms.IntegerField(label=_("Vehicles"), min_value=1)
    imported_on = forms.DateField(label=_("Import date"), widget=DateInput)
    reference = forms.CharField(label=_("Customs or subsidy reference"), max_length=80, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class PlantLocationForm(StyledForm, forms.Form):
    plant = forms.CharField(
        label=_("Plant"), max_length=120, help_text=_("As its vehicles carry it in the vehicle registry.")
    )
    country = forms.ChoiceField(label=_("Country"), choices=[("", "—"), *countries])
