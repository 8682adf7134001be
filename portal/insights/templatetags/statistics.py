"""Template filters of the statistics pages."""

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def percent(value, digits: int = 1):
    """0.234 → "23.4 %" (in the reader's number format); blank for None."""
    if value is None or value == "":
        return ""
    return f"{number_format(round(float(value) * 100, digits), digits)} %"
