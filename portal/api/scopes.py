"""API-key scopes: read or write, per domain app."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

# Domain apps an integrator can reach, by app label.
DOMAINS = {
    "vehicles": _("Vehicle registry"),
    "collaboration": _("Collaboration projects"),
    "compliance": _("Export compliance"),
    "insights": _("Industry statistics"),
    "batteries": _("Battery passports"),
}
ACCESS = {"read": _("read"), "write": _("write")}
SCOPE_CHOICES = [
    (f"{domain}:{access}", format_lazy("{} · {}", label, access_label))
    for domain, label in DOMAINS.items()
    for access, access_label in ACCESS.items()
]
# Battery passports: what a key may read beyond the public group (Annex XIII access groups). Neither is a
# read scope: a partner grants them on purpose, and staff grant them to authorities (keys of the public row).
PASSPORT_LEGITIMATE_INTEREST = "passports:legitimate_interest"
PASSPORT_AUTHORITY = "passports:authority"
SCOPE_CHOICES += [
    (PASSPORT_LEGITIMATE_INTEREST, _("Battery passports · persons with a legitimate interest")),
    (PASSPORT_AUTHORITY, _("Battery passports · notified bodies, market surveillance, the Commission")),
]
ALL_SCOPES = [value for value, _label in SCOPE_CHOICES]
READ_SCOPES = [value for value in ALL_SCOPES if value.endswith(":read")]


def scope_for(domain: str, *, write: bool) -> str:
    """The scope a call needs: `<domain>:read` or `<domain>:write` (write includes read)."""
    return f"{domain}:{'write' if write else 'read'}"


def scopes_allow(granted: list[str], domain: str, *, write: bool) -> bool:
    """True when the granted scopes cover the call; a write scope also grants reading."""
    return scope_for(domain, write=write) in granted or (not write and scope_for(domain, write=True) in granted)
