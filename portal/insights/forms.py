"""The selection of a dashboard, an export or an API call: measure, breakdown and months."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.core.forms import MonthField
from portal.core.months import month_add

from .choices import Breakdown, Grain
from .measures import MEASURES
from .selectors import Selection, selection_default

MAX_MONTHS = 120


class SelectionForm(forms.Form):
    measure = forms.ChoiceField(label=_("Measure"), choices=[(code, m.label) for code, m in MEASURES.items()])
    breakdown = forms.ChoiceField(label=_("Broken down by"), choices=Breakdown.choices, required=False)
    grain = forms.ChoiceField(label=_("Period"), choices=Grain.choices, required=False)
    first = MonthField(label=_("From"), required=False)
    last = MonthField(label=_("To"), required=False)

    def clean(self):
        data = super().clean()
        measure = MEASURES.get(data.get("measure"))
        if measure is None:
            return data
        breakdown = data.get("breakdown") or measure.breakdowns[0]
        if breakdown not in measure.breakdowns:
            labels = ", ".join(str(Breakdown(b).label) for b in measure.breakdowns)
            self.add_error("breakdown", _("This measure can be broken down by: %(allowed)s.") % {"allowed": labels})
        data["breakdown"] = breakdown
        data["grain"] = data.get("grain") or Grain.MONTH
        _first, default_last = selection_default()
        first, last = data.get("first") or None, data.get("last") or None
        last = last or default_last
        first = first or month_add(last, -23)
        if first > last:
            self.add_error("first", _("The first month comes after the last."))
        elif month_add(first, MAX_MONTHS) <= last:
            self.add_error("first", _("Choose at most %(n)s months.") % {"n": MAX_MONTHS})
        data["first"], data["last"] = first, last
        return data

    def selection(self) -> Selection:
        """The chosen selection (call after is_valid())."""
        data = self.cleaned_data
        return Selection(MEASURES[data["measure"]], data["breakdown"], data["first"], data["last"], data["grain"])


def selection_from(params) -> tuple[SelectionForm, Selection]:
    """The form bound to the query string and its selection; the default selection while it has errors."""
    first, last = selection_default()
    initial = {"measure": "production", "grain": Grain.MONTH, "first": f"{first:%Y-%m}", "last": f"{last:%Y-%m}"}
    form = SelectionForm(params if params.get("measure") else None, initial=initial)
    if form.is_bound and form.is_valid():
        selection = form.selection()
        shown = {"measure": selection.measure.code, "breakdown": selection.breakdown, "grain": selection.grain}
        shown.update(first=f"{selection.first:%Y-%m}", last=f"{selection.last:%Y-%m}")
        return SelectionForm(initial=shown), selection  # the page shows what it chose, defaults filled in
    measure = MEASURES["production"]
    return form, Selection(measure, measure.breakdowns[0], first, last)
