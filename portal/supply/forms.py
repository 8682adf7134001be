"""Forms of supply reports: one month, or a CSV file of months."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.core.forms import MonthField, style_widgets


class SupplyReportForm(forms.Form):
    month = MonthField(label=_("Month"))
    total_value = forms.DecimalField(label=_("All component purchases"), min_value=0, max_digits=16, decimal_places=2)
    local_value = forms.DecimalField(label=_("From local suppliers"), min_value=0, max_digits=16, decimal_places=2)
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="CNY")
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)


class SupplyFileForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Columns month (YYYY-MM), total, local; optional currency and note. UTF-8 or GB18030."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)
