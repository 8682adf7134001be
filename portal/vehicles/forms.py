"""Forms of the vehicle pages; they only collect input, the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from portal.core.forms import DateInput, StyledForm

from .choices import Connectivity, VehicleStatus
from .models import VehicleModel
from .rxswin import RXSWIN_MAX_LENGTH
from .services import market_choices


class VehicleModelForm(StyledForm, forms.ModelForm):
    connectivity = forms.MultipleChoiceField(
        label=_("connectivity features"),
        choices=Connectivity.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = VehicleModel
        fields = ["name", "category", "battery_chemistry", "battery_kwh", "range_km", "connectivity", "hs_code"]


class VehicleRegisterForm(StyledForm, forms.Form):
    vin = forms.CharField(label=_("VIN"), max_length=30)
    model = forms.ModelChoiceField(label=_("Model"), queryset=VehicleModel.objects.order_by("name"))
    production_date = forms.DateField(label=_("Production date"), widget=DateInput)
    plant = forms.CharField(label=_("Plant"), max_length=120, required=False)
    rxswin = forms.CharField(
        label=_("RXSWIN"),
        max_length=RXSWIN_MAX_LENGTH,
        required=False,
        help_text=_("The software identification number (UN R156) the maker recorded, e.g. R156-ABC-1.2.3."),
    )
    market = forms.ChoiceField(
        label=_("Market whose VIN rules apply"),
        help_text=_("China and North America require a correct check digit; elsewhere a mismatch is a warning."),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, default_market: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["market"].choices = market_choices()
        self.fields["market"].initial = default_market


class VehicleRxswinForm(StyledForm, forms.Form):
    rxswin = forms.CharField(
        label=_("RXSWIN"),
        max_length=RXSWIN_MAX_LENGTH,
        required=False,
        help_text=_(
            "The software identification number (UN R156) the maker recorded, e.g. R156-ABC-1.2.3; blank: none "
            "recorded. Shipments check it against the RXSWINs the model's UN R156 approvals list."
        ),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class VehicleStatusForm(StyledForm, forms.Form):
    to_status = forms.ChoiceField(label=_("New status"))
    registration_country = forms.ChoiceField(
        label=_("Registration country"), choices=[("", "—"), *countries], required=False
    )
    registration_region = forms.CharField(label=_("Region"), max_length=80, required=False)
    plate = forms.CharField(label=_("Plate"), max_length=20, required=False)
    registration_date = forms.DateField(label=_("Registration date"), required=False, widget=DateInput)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, allowed: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = [(value, VehicleStatus(value).label) for value in allowed]
