"""Form plumbing every app uses: Bootstrap styling, a date and a month input, and a service's errors on a form."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class DateInput(forms.DateInput):
    input_type = "date"


class MonthField(forms.CharField):
    """A month written YYYY-MM (as `<input type="month">` sends it); cleaned to its first day."""

    widget = forms.TextInput(attrs={"type": "month", "pattern": r"\d{4}-\d{2}", "placeholder": "YYYY-MM"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            year, month = (int(part) for part in value.strip().split("-")[:2])
            return datetime.date(year, month, 1)
        except (ValueError, TypeError):
            raise ValidationError(_("Write the month as YYYY-MM."), code="invalid") from None


def style_widgets(form, *, small: bool = False) -> None:
    """Bootstrap classes on every widget (templates render fields as they are)."""
    size = " form-control-sm" if small else ""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput):
            continue
        if isinstance(widget, forms.CheckboxSelectMultiple):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select" + (" form-select-sm" if small else ""))
        else:
            widget.attrs.setdefault("class", "form-control" + size)


class StyledForm:
    """Mixin of a form whose widgets carry the Bootstrap classes (put it before `forms.Form`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)


def apply_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form (on its field when the form has one)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
