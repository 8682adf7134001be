"""Who reads which passport attribute: the access groups of Annex XIII, as the attribute list assigns them.

The public reads the public attributes; persons with a legitimate interest read those and their own group;
notified bodies, market surveillance authorities and the Commission read everything, and so does the partner
that owns the battery. Every page, API and export that shows passport values filters through here.
"""

from __future__ import annotations

from .choices import AccessGroup, Reader
from .registry.models import PassportAttribute

GROUPS_FOR: dict[str, frozenset[str]] = {
    Reader.PUBLIC: frozenset({AccessGroup.PUBLIC}),
    Reader.LEGITIMATE_INTEREST: frozenset({AccessGroup.PUBLIC, AccessGroup.LEGITIMATE_INTEREST}),
    Reader.AUTHORITY: frozenset(AccessGroup.values),
    Reader.OWNER: frozenset(AccessGroup.values),
}


def groups_for(reader: str) -> frozenset[str]:
    """The access groups a reader may see; an unknown reader sees nothing (never fall back to more)."""
    return GROUPS_FOR.get(reader, frozenset())


def may_read(reader: str, attribute: PassportAttribute) -> bool:
    """True when `reader` may see `attribute`."""
    return attribute.access in groups_for(reader)


def attributes_for(reader: str):
    """The attributes `reader` may see, in the list's order (a queryset: one query when evaluated)."""
    return PassportAttribute.objects.filter(access__in=sorted(groups_for(reader))).order_by("number")
