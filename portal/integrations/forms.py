"""Forms of the integrator platform."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.api.scopes import READ_SCOPES, SCOPE_CHOICES

from .models import WebhookEvent


class ApiKeyForm(forms.Form):
    """Name, scopes and optional expiry of a new API key."""

    name = forms.CharField(label=_("Name"), max_length=50, help_text=_("Which system uses it, e.g. “ERP production”."))
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), choices=SCOPE_CHOICES, initial=READ_SCOPES, widget=forms.CheckboxSelectMultiple
    )
    expiry_date = forms.DateTimeField(
        label=_("Expires"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def clean_expiry_date(self):
        expiry = self.cleaned_data["expiry_date"]
        if expiry is not None and expiry <= timezone.now():
            raise forms.ValidationError(_("The expiry must be in the future."))
        return expiry


class WebhookEndpointForm(forms.Form):
    """The URL of a new webhook receiver and the events it wants."""

    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("Where your system receives events, e.g. https://erp.example.com/portal-events."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple
    )
