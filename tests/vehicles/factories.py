"""Vehicle registry test data: VINs with computed check digits, models and vehicles in a partner's schema."""

import datetime
import itertools

from django_tenants.utils import schema_context

from portal.reference.choices import Category
from portal.reference.models import WmiAssignment
from portal.vehicles.choices import BatteryChemistry, ChangeSource
from portal.vehicles.services import vehicle_model_create, vehicle_register
from portal.vehicles.vin import check_digit

# Each test partner owns one WMI in the alliance register.
WMI = {"alpha": "LAL", "beta": "LBT"}
_serials = itertools.count(1)
_names = itertools.count(1)


def vin_for(wmi: str = "LAL", serial: int | None = None, *, year: str = "R", plant: str = "1") -> str:
    """A valid VIN: WMI, a VDS, the computed check digit, model year, plant and a 6-digit serial."""
    serial = next(_serials) if serial is None else serial
    body = f"{wmi}JCNL0" + "0" + year + plant + f"{serial:06d}"
    return body[:8] + check_digit(body) + body[9:]


def wmi_ensure(partner) -> WmiAssignment:
    """The partner's WMI in the alliance register (public schema)."""
    return WmiAssignment.objects.get_or_create(wmi=WMI[partner.schema_name], defaults={"partner": partner})[0]


def model_make(partner, **fields):
    """A vehicle model in the partner's schema."""
    values = {
        "name": f"Test model {next(_names)}",
        "category": Category.L3E,
        "battery_chemistry": BatteryChemistry.LFP,
        "battery_kwh": "4.32",
        "range_km": 120,
        "connectivity": ["4G", "GNSS"],
        "hs_code": "8711.60",
    }
    values.update(fields)
    with schema_context(partner.schema_name):
        return vehicle_model_create(**values)


def vehicle_make(partner, *, model=None, vin: str | None = None, production_date=None, user=None, **fields):
    """A produced vehicle of the partner, registered through the service (so it has its history)."""
    wmi_ensure(partner)
    model = model or model_make(partner)
    with schema_context(partner.schema_name):
        return vehicle_register(
            partner=partner,
            vin=vin or vin_for(WMI[partner.schema_name]),
            model=model,
            production_date=production_date or datetime.date(2024, 5, 1),
            market="CN",
            user=user,
            source=ChangeSource.ADMIN,
            **fields,
        )
