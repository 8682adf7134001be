"""`{% list_summary %}`: the chips and count of a filtered list, for `templates/includes/filter_chips.html`."""

from django import template

from ..lists import ListSummary
from ..lists import list_summary as summarise

register = template.Library()


@register.simple_tag(takes_context=True)
def list_summary(context, filterset, page=None, total=None, total_exact=True, noun="") -> ListSummary:
    """The active filters of `filterset` as removable chips and "124 of 5,310 <noun>"."""
    # Variables the including template does not set arrive as "": they mean "not given".
    return summarise(
        context["request"],
        filterset,
        page=page or None,
        total=total if isinstance(total, int) else None,
        total_exact=total_exact is not False,
        noun=str(noun or ""),
    )
