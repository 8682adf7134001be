"""Reads of the alliance-wide passport tables."""

from __future__ import annotations

from .models import PassportAttribute, PassportIndex


def passport_locate(identifier: str) -> PassportIndex | None:
    """Where the passport of `identifier` lives (partner and battery id), one indexed lookup; None if unknown."""
    return PassportIndex.objects.select_related("partner").filter(identifier=identifier).first()


def attribute_list() -> list[PassportAttribute]:
    """Every attribute of the list, in its order."""
    return list(PassportAttribute.objects.order_by("number"))


def attribute_codes() -> set[str]:
    """Every attribute id."""
    return set(PassportAttribute.objects.values_list("code", flat=True))
