"""Writes of the offset ledger's partner-entered records: subsidised imports, and where the partner's plants are."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal.reference.offsets import OffsetScheme

from ..models import PlantLocation, SubsidisedImport


@transaction.atomic
def subsidised_import_create(
    *,
    scheme: OffsetScheme,
    model_name: str,
    quantity: int,
    imported_on: datetime.date,
    reference: str = "",
    note: str = "",
    user=None,
) -> SubsidisedImport:
    """Record vehicles imported under a subsidy scheme; the import date must fall in the scheme's import window."""
    item = SubsidisedImport(
        scheme=scheme,
        model_name=(model_name or "").strip(),
        quantity=quantity,
        imported_on=imported_on,
        reference=(reference or "").strip(),
        note=note or "",
        created_by=user if getattr(user, "pk", None) else None,
    )
    if quantity is not None and quantity < 1:
        raise ValidationError({"quantity": _("At least one vehicle.")})
    if imported_on and not scheme.imports_from <= imported_on <= scheme.imports_until:
        raise ValidationError(
            {
                "imported_on": _("%(scheme)s covers imports from %(start)s to %(end)s.")
                % {
                    "scheme": scheme.name,
                    "start": date_format(scheme.imports_from),
                    "end": date_format(scheme.imports_until),
                }
            }
        )
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def subsidised_import_delete(*, pk: int, user=None) -> None:
    """Remove a subsidised import of the current partner (a wrong entry)."""
    SubsidisedImport.objects.filter(pk=pk).delete()


@transaction.atomic
def plant_location_set(*, plant: str, country: str, user=None) -> PlantLocation:
    """Say in which country a plant named in the vehicle registry is (a plant named again is moved)."""
    plant = (plant or "").strip()
    if not plant:
        raise ValidationError({"plant": _("Name the plant as its vehicles carry it in the registry.")})
    location = PlantLocation.objects.filter(plant=plant).first() or PlantLocation(plant=plant)
    location.country = country
    location.full_clean()
    location.save()
    return location


@transaction.atomic
def plant_location_delete(*, pk: int, user=None) -> None:
    PlantLocation.objects.filter(pk=pk).delete()
