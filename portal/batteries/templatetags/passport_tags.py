"""Template helpers of battery passports."""

from django import template

from portal.batteries.qr import passport_url as _passport_url

register = template.Library()


@register.filter
def passport_url(identifier: str) -> str:
    """The public passport URL an identifier's QR code points to."""
    return _passport_url(identifier)
