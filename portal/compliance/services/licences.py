"""Writes of what a partner holds for export licence rules: its licences, its manufacturers' authorisations (when it
exports as a trader) and its after-sales outlets per destination. Open shipments are checked again by the user."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_countries import countries

from ..models import AfterSalesOutlet, ExportAuthorisation, ExportLicence

KINDS = {"licence": ExportLicence, "authorisation": ExportAuthorisation, "outlet": AfterSalesOutlet}


def _dates_clean(item) -> None:
    if item.valid_from and item.valid_to and item.valid_to < item.valid_from:
        raise ValidationError({"valid_to": _("It cannot end before it starts.")})


@transaction.atomic
def export_licence_create(*, user=None, **fields) -> ExportLicence:
    """Record an export licence: HS codes without spaces, destinations as upper-case ISO codes."""
    licence = ExportLicence(**fields)
    licence.hs_codes = [code.replace(" ", "") for code in licence.hs_codes if code.strip()]
    licence.destinations = sorted({code.strip().upper() for code in licence.destinations if code.strip()})
    unknown = sorted(set(licence.destinations) - set(dict(countries)))
    if unknown:
        raise ValidationError({"destinations": _("Unknown country codes: %(codes)s") % {"codes": ", ".join(unknown)}})
    _dates_clean(licence)
    licence.full_clean()
    licence.save()
    return licence


@transaction.atomic
def export_authorisation_create(*, user=None, **fields) -> ExportAuthorisation:
    """Record a manufacturer's authorisation for this partner to export its vehicles."""
    authorisation = ExportAuthorisation(**fields)
    authorisation.manufacturer = authorisation.manufacturer.strip()
    _dates_clean(authorisation)
    authorisation.full_clean()
    authorisation.save()
    return authorisation


@transaction.atomic
def after_sales_outlet_create(*, user=None, **fields) -> AfterSalesOutlet:
    """Record an after-sales service outlet in a destination country."""
    outlet = AfterSalesOutlet(**fields)
    outlet.full_clean()
    outlet.save()
    return outlet


@transaction.atomic
def export_record_delete(*, kind: str, pk: int, user=None) -> None:
    """Remove a licence, an authorisation or an outlet of the current partner."""
    KINDS[kind].objects.filter(pk=pk).delete()
