"""Forms of collaboration projects."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from portal.core.forms import StyledForm
from tenants.models import Partner

from .choices import BudgetRange, ListingKind, ProductCategory, Stage, Technology
from .models import Project


def _markets_field():
    return forms.MultipleChoiceField(
        label=_("Target markets"),
        choices=list(countries),
        required=False,
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 5}),
    )


class ProjectForm(StyledForm, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    tags = forms.MultipleChoiceField(
        label=_("Technologies"), choices=Technology.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    markets = _markets_field()
    budget_range = forms.ChoiceField(label=_("Budget range"), choices=[("", "—"), *BudgetRange.choices], required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class TransitionForm(StyledForm, forms.Form):
    to_stage = forms.ChoiceField(label=_("New stage"), choices=Stage.choices)
    reason = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)
    evidence = forms.FileField(label=_("Evidence (PDF, image or office document)"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, targets: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if targets:  # offer only the stages the project may move to (the service checks the move again)
            labels = dict(Stage.choices)
            self.fields["to_stage"].choices = [(stage, labels[stage]) for stage in targets]


class InviteForm(StyledForm, forms.Form):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Partner.objects.none())

    def __init__(self, *args, exclude_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Partner.objects.members().active().exclude(pk__in=exclude_ids)


class MilestoneForm(StyledForm, forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=200)
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))


class DocumentForm(StyledForm, forms.Form):
    file = forms.FileField(label=_("Document (PDF, image or office document, up to 10 MB)"))


class ProductForm(StyledForm, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=ProductCategory.choices)
    features = forms.MultipleChoiceField(
        label=_("Connectivity features"),
        choices=Technology.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    launch_date = forms.DateField(
        label=_("Launch date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    markets = _markets_field()
    project = forms.ModelChoiceField(label=_("Project"), queryset=Project.objects.none(), required=False)

    def __init__(self, *args, projects=None, **kwargs):
        super().__init__(*args, **kwargs)
        if projects is not None:
            self.fields["project"].queryset = projects


class ListingForm(StyledForm, forms.Form):
    kind = forms.ChoiceField(label=_("Need or offer"), choices=ListingKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    tags = forms.MultipleChoiceField(
        label=_("Technologies"), choices=Technology.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    markets = _markets_field()
    partner_kinds = forms.MultipleChoiceField(
        label=_("Partner kinds sought"), choices=[], required=False, widget=forms.CheckboxSelectMultiple
    )
    capacity = forms.CharField(label=_("Capacity"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from tenants.choices import PartnerKind

        self.fields["partner_kinds"].choices = [c for c in PartnerKind.choices if c[0] != PartnerKind.SECRETARIAT]
