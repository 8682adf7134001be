"""Forms of battery passport pages; the passport value fields are built from the attribute list."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.core.forms import DateInput, StyledForm, style_widgets
from portal.vehicles.choices import BatteryChemistry

from .choices import BatteryCategory, BatteryStatus, Behaviour, Granularity, ReadingSource
from .models import BatteryModel
from .registry.models import PassportAttribute
from .selectors import COLUMN_VALUES

VALUE_PREFIX = "value__"


def _value_fields(form, *, granularity: str, category: str | None, initial: dict) -> None:
    """One optional text field per static attribute kept at `granularity` (of `category`, when known)."""
    attributes = PassportAttribute.objects.filter(behaviour=Behaviour.STATIC, granularity=granularity).order_by(
        "number"
    )
    form.value_attributes = []
    for attribute in attributes:
        if attribute.code in COLUMN_VALUES or (category and category not in attribute.categories):
            continue
        name = VALUE_PREFIX + attribute.code
        required_mark = " *" if category and category in attribute.mandatory_for else ""
        form.fields[name] = forms.CharField(
            label=f"{attribute.number}. {attribute.name}{required_mark}",
            required=False,
            max_length=2000,
            help_text=attribute.regulation_reference,
            initial=_initial(initial.get(attribute.code)),
        )
        form.value_attributes.append(attribute)


def _initial(value):
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def values_from(form) -> dict:
    """The passport values the form's value fields hold (blank ones removed)."""
    return {
        name[len(VALUE_PREFIX) :]: value.strip()
        for name, value in form.cleaned_data.items()
        if name.startswith(VALUE_PREFIX) and isinstance(value, str) and value.strip()
    }


class BatteryModelForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=60)
    name = forms.CharField(label=_("Name"), max_length=120)
    category = forms.ChoiceField(label=_("Category"), choices=BatteryCategory.choices)
    chemistry = forms.ChoiceField(label=_("Chemistry"), choices=BatteryChemistry.choices)

    def __init__(self, *args, battery_model: BatteryModel | None = None, **kwargs):
        self.battery_model = battery_model
        if battery_model is not None:
            kwargs.setdefault(
                "initial",
                {
                    "code": battery_model.code,
                    "name": battery_model.name,
                    "category": battery_model.category,
                    "chemistry": battery_model.chemistry,
                },
            )
        super().__init__(*args, **kwargs)
        if battery_model is not None:
            self.fields["code"].disabled = True
        _value_fields(
            self,
            granularity=Granularity.MODEL,
            category=battery_model.category if battery_model else None,
            initial=battery_model.values if battery_model else {},
        )
        style_widgets(self)


class BatteryForm(forms.Form):
    identifier = forms.CharField(
        label=_("Identifier"), max_length=100, help_text=_("The ISO/IEC 15459 unique identifier on the label.")
    )
    battery_model = forms.ModelChoiceField(label=_("Battery model"), queryset=BatteryModel.objects.order_by("code"))
    status = forms.ChoiceField(label=_("Status"), choices=BatteryStatus.choices, initial=BatteryStatus.ORIGINAL)
    vin = forms.CharField(label=_("Fitted to VIN"), max_length=17, required=False)
    fitted_on = forms.DateField(label=_("Fitted on"), required=False, widget=DateInput)

    def __init__(self, *args, battery=None, **kwargs):
        self.battery = battery
        if battery is not None:
            kwargs.setdefault(
                "initial",
                {"identifier": battery.identifier, "battery_model": battery.battery_model_id, "status": battery.status},
            )
        super().__init__(*args, **kwargs)
        if battery is not None:
            # Where it is fitted changes through "Fit to a vehicle", which keeps the history.
            del self.fields["vin"], self.fields["fitted_on"]
        _value_fields(
            self,
            granularity=Granularity.BATTERY,
            category=battery.category if battery else None,
            initial=battery.values if battery else {},
        )
        style_widgets(self)


class BatteryFitForm(StyledForm, forms.Form):
    vin = forms.CharField(label=_("VIN"), max_length=17)
    fitted_on = forms.DateField(label=_("Fitted on"), widget=DateInput)


class BatteryReadingForm(StyledForm, forms.Form):
    measured_at = forms.DateTimeField(
        label=_("Measured at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    state_of_health = forms.DecimalField(
        label=_("State of health (%)"), required=False, min_value=0, max_value=100, decimal_places=2
    )
    capacity_fade = forms.DecimalField(
        label=_("Capacity fade (%)"), required=False, min_value=0, max_value=100, decimal_places=2
    )
    cycles = forms.IntegerField(label=_("Full cycles"), required=False, min_value=0)
    energy_throughput = forms.DecimalField(
        label=_("Energy throughput (kWh)"), required=False, min_value=0, decimal_places=3
    )
    negative_event = forms.CharField(label=_("Negative event"), required=False, widget=forms.Textarea({"rows": 2}))
    source = forms.ChoiceField(label=_("Source"), choices=ReadingSource.choices, initial=ReadingSource.MANUAL)
