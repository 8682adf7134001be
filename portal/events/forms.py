"""Forms of the event pages (the services check every rule again)."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from portal.collaboration.choices import ProductCategory, Technology
from portal.collaboration.models import Listing, Product
from portal.core.forms import DateInput, StyledForm
from tenants.models import User

from .choices import CardKind

LANGUAGES = [(code, name) for code, name in settings.LANGUAGES]


class RegisterForm(StyledForm, forms.Form):
    user = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none(), required=False)
    languages = forms.MultipleChoiceField(
        label=_("Languages"), choices=LANGUAGES, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, partner, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(memberships__partner=partner).order_by("email")


class CardForm(StyledForm, forms.Form):
    kind = forms.ChoiceField(label=_("Offer or need"), choices=CardKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    tags = forms.MultipleChoiceField(
        label=_("Technologies"), choices=Technology.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    categories = forms.MultipleChoiceField(
        label=_("Product categories"),
        choices=ProductCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    markets = forms.MultipleChoiceField(label=_("Markets"), choices=list(countries), required=False)
    listing = forms.ModelChoiceField(label=_("From our need or offer"), queryset=Listing.objects.none(), required=False)
    product = forms.ModelChoiceField(label=_("From our product"), queryset=Product.objects.none(), required=False)
    is_private = forms.BooleanField(label=_("Private to my partner"), required=False)

    def __init__(self, *args, partner, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["listing"].queryset = Listing.objects.filter(partner=partner, is_open=True)
        self.fields["product"].queryset = Product.objects.filter(partner=partner)
        self.fields["is_private"].widget.attrs["class"] = "form-check-input"


class NoteForm(StyledForm, forms.Form):
    text = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    follow_up = forms.BooleanField(label=_("We agreed to follow up"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["follow_up"].widget.attrs["class"] = "form-check-input"


class SigningForm(StyledForm, forms.Form):
    project = forms.ModelChoiceField(
        label=_("Our project with this partner (empty: a new project)"), queryset=None, required=False
    )
    title = forms.CharField(label=_("Title of the new project"), max_length=200, required=False)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    agreement = forms.FileField(label=_("The signed agreement"), required=False)

    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects


class AnnouncementForm(StyledForm, forms.Form):
    text = forms.CharField(label=_("Announcement"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class GridForm(StyledForm, forms.Form):
    day = forms.DateField(label=_("Day"), widget=DateInput)
    start = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(label=_("To"), widget=forms.TimeInput(attrs={"type": "time"}))
    tables = forms.IntegerField(label=_("Tables to add"), min_value=0, max_value=2000, required=False)
    seats = forms.IntegerField(label=_("Seats per table"), min_value=2, max_value=20, required=False)
