"""Selectors of dismissed screening hits (reads only; the writes are services/dismissals.py)."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.http import Http404

from .models import ScreeningDismissal, Shipment
from .screening import DismissalFilter, consignee_fingerprint


def dismissals_in_force(*, at: datetime.datetime | None = None) -> set[tuple[int, str, str]]:
    """(entry id, entry fingerprint, consignee fingerprint) of every dismissal in force now or at `at` (one query)."""
    rows = ScreeningDismissal.objects.all()
    if at is None:
        rows = rows.filter(revoked_at__isnull=True)
    else:
        rows = rows.filter(Q(revoked_at__isnull=True) | Q(revoked_at__gt=at), created_at__lte=at)
    return set(rows.values_list("entry_id", "entry_fingerprint", "consignee_fingerprint"))


def dismissals_of_shipment(*, shipment: Shipment) -> QuerySet[ScreeningDismissal]:
    """Dismissals that concern the shipment's consignee as it is now (in force and revoked), newest first."""
    fingerprint = consignee_fingerprint(shipment.consignee_name, str(shipment.consignee_country))
    return ScreeningDismissal.objects.filter(Q(consignee_fingerprint=fingerprint) | Q(shipment=shipment))


def dismissal_list() -> QuerySet[ScreeningDismissal]:
    """Every dismissal of the partner, newest first."""
    return ScreeningDismissal.objects.all()


def dismissal_get(*, pk: int) -> ScreeningDismissal:
    """One dismissal of the partner, or 404."""
    try:
        return ScreeningDismissal.objects.get(pk=pk)
    except ScreeningDismissal.DoesNotExist:
        raise Http404 from None


def screening_without_dismissed(index, *, at: datetime.datetime | None = None) -> DismissalFilter:
    """The screening index as the check sees it: without the pairs dismissed now (or at `at`, to reproduce)."""
    return DismissalFilter(index, dismissals_in_force(at=at))
