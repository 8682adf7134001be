"""Writes of the passport index: kept by the battery services (and the battery import) on create and delete."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .models import PassportIndex


def passport_index_add(*, partner, identifier: str, battery_id: int) -> PassportIndex:
    """Register a new passport; the identifier must be unique across the alliance (ISO/IEC 15459)."""
    try:
        with transaction.atomic():
            return PassportIndex.objects.create(partner=partner, identifier=identifier, battery_id=battery_id)
    except IntegrityError:
        raise ValidationError(
            {"identifier": _("This identifier is already used by another battery passport.")}, code="duplicate"
        ) from None


def passport_index_bulk_add(*, partner, rows: Iterable[tuple[str, int]], batch_size: int = 5000) -> int:
    """Register many passports (identifier, battery id) at once; identifiers already indexed are left alone.

    Returns how many rows were sent (ignored conflicts included: bulk_create cannot tell them apart); a bulk path
    checks the identifiers with one `PassportIndex.objects.filter(identifier__in=…)` first if it must report them.
    """
    count = 0
    batch: list[PassportIndex] = []
    for identifier, battery_id in rows:
        batch.append(PassportIndex(partner=partner, identifier=identifier, battery_id=battery_id))
        if len(batch) >= batch_size:
            count += len(PassportIndex.objects.bulk_create(batch, ignore_conflicts=True))
            batch = []
    if batch:
        count += len(PassportIndex.objects.bulk_create(batch, ignore_conflicts=True))
    return count


def passport_index_rename(*, partner, old: str, new: str) -> None:
    """Follow an identifier correction; the new one must be free."""
    if old == new:
        return
    try:
        with transaction.atomic():
            PassportIndex.objects.filter(partner=partner, identifier=old).update(identifier=new)
    except IntegrityError:
        raise ValidationError(
            {"identifier": _("This identifier is already used by another battery passport.")}, code="duplicate"
        ) from None


def passport_index_remove(*, partner, identifiers: Iterable[str]) -> int:
    """Forget passports of batteries the partner deleted (only the partner's own entries)."""
    return PassportIndex.objects.filter(partner=partner, identifier__in=list(identifiers)).delete()[0]
