"""Words for the keys of each breakdown (category codes, countries, kinds, reasons, …) in the reader's language."""

from string import ascii_uppercase

from django.utils.translation import gettext as _
from django_countries import countries

from portal.batteries.choices import BatteryCategory
from portal.collaboration.choices import Stage
from portal.reference.choices import Category
from portal.vehicles.choices import BatteryChemistry
from tenants.choices import PartnerKind

from .choices import Breakdown
from .measures import NOT_DECLARED, OTHER_CLASS


def _reasons() -> dict[str, str]:
    return {
        "embargoed_destination": _("Embargoed destination"),
        "embargoed_consignee_country": _("Consignee's country under embargo"),
        "screening_hit": _("Consignee on the screening list"),
        "certificate_missing": _("Certificate missing"),
        "certificate_expired": _("Certificate expired"),
        "certificate_expires_before_arrival": _("Certificate expires before arrival"),
        "certificate_not_yet_valid": _("Certificate not yet valid"),
        "certificate_validity_too_long": _("Certificate validity too long"),
        "no_market_rules": _("No rules for the market"),
        "hs_code_mismatch": _("HS code does not match"),
        "vehicle_already_exported": _("Vehicle already exported"),
        "vehicle_deregistered": _("Vehicle deregistered"),
        "vehicle_on_other_shipment": _("Vehicle on another shipment"),
        "no_vehicles": _("No vehicles"),
        "arrival_in_past": _("Arrival date in the past"),
    }


def _certificate_types() -> dict[str, str]:
    from portal.reference.models import CertificateType

    return dict(CertificateType.objects.values_list("code", "name"))


def _carbon_classes() -> dict[str, str]:
    classes = {letter: _("Class %(letter)s") % {"letter": letter} for letter in ascii_uppercase}
    return {**classes, NOT_DECLARED: _("Not declared"), OTHER_CLASS: _("Other declaration")}


def _recycled_bands() -> dict[str, str]:
    return {
        NOT_DECLARED: _("Not declared"),
        "0": _("0 %"),
        "0-5": _("Above 0 and under 5 %"),
        "5-10": _("5 to under 10 %"),
        "10-20": _("10 to under 20 %"),
        "20-50": _("20 to under 50 %"),
        "50-100": _("50 to 100 %"),
    }


def key_labels(breakdown: str, keys) -> dict[str, str]:
    """Every key's label for one breakdown (one query at most)."""
    if breakdown == Breakdown.TOTAL:
        return {key: _("All partners") for key in keys}
    if breakdown in (Breakdown.REGION, Breakdown.DESTINATION, Breakdown.COUNTRY):
        return {key: countries.name(key) or key for key in keys}
    names = {
        Breakdown.CATEGORY: lambda: dict(Category.choices),
        Breakdown.KIND: lambda: dict(PartnerKind.choices),
        Breakdown.STAGE: lambda: dict(Stage.choices),
        Breakdown.REASON: _reasons,
        Breakdown.CERTIFICATE_TYPE: _certificate_types,
        Breakdown.BATTERY_CATEGORY: lambda: dict(BatteryCategory.choices),
        Breakdown.CHEMISTRY: lambda: dict(BatteryChemistry.choices),
        Breakdown.CARBON_CLASS: _carbon_classes,
        Breakdown.RECYCLED_SHARE: _recycled_bands,
    }.get(breakdown, dict)()
    return {key: str(names.get(key, key)) for key in keys}
