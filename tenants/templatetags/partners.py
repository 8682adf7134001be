"""Template helpers for partners."""

from django import template

from tenants.selectors import partner_url as _partner_url

register = template.Library()


@register.filter
def partner_url(partner, path: str = "/") -> str:
    """Absolute URL of a page on the partner's subdomain."""
    return _partner_url(partner, path)
