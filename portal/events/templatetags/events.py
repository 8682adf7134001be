"""Labels of the event funnel's steps, in the active language."""

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

FUNNEL_LABELS = {
    "requests": _("Requests"),
    "accepted": _("Accepted"),
    "scheduled": _("Scheduled"),
    "held": _("Held"),
    "follow_up": _("Followed up"),
    "projects": _("Projects signed"),
    "launched": _("Launched"),
}


@register.filter
def funnel_label(step: str) -> str:
    return str(FUNNEL_LABELS.get(step, step))
