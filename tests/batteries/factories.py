"""Battery passport test data: models with complete or partial static values, batteries made through the services."""

import itertools

from django_tenants.utils import schema_context

from portal.batteries.choices import BatteryCategory, Behaviour, Granularity
from portal.batteries.registry.models import PassportAttribute
from portal.batteries.services import battery_create, battery_model_create
from portal.vehicles.choices import BatteryChemistry

_serials = itertools.count(1)


def identifier_next(prefix: str = "LA0123") -> str:
    """A fresh ISO/IEC 15459-style identifier (issuing agency, company, serial)."""
    return f"{prefix}-{next(_serials):08d}"


def full_values(category: str, granularity: str) -> dict:
    """A value for every static attribute of `category` kept at `granularity` (model or battery)."""
    return {
        attribute.code: f"value of {attribute.code}"
        for attribute in PassportAttribute.objects.filter(behaviour=Behaviour.STATIC, granularity=granularity)
        if category in attribute.categories
    }


def model_make(partner, *, category: str = BatteryCategory.LMT, complete: bool = True, **fields):
    """A battery model in the partner's schema; `complete` fills every static model-level attribute."""
    with schema_context(partner.schema_name):
        values = full_values(category, Granularity.MODEL) if complete else {}
        defaults = {
            "code": f"BM-{next(_serials)}",
            "name": "Test pack",
            "category": category,
            "chemistry": BatteryChemistry.LFP,
            "values": values,
        }
        defaults.update(fields)
        return battery_model_create(**defaults)


def battery_make(partner, *, battery_model=None, complete: bool = True, **fields):
    """A battery of the partner, created through the service (index, completeness, webhooks)."""
    battery_model = battery_model or model_make(partner, complete=complete)
    with schema_context(partner.schema_name):
        values = full_values(battery_model.category, Granularity.BATTERY) if complete else {}
        defaults = {"identifier": identifier_next(), "battery_model": battery_model, "values": values}
        defaults.update(fields)
        return battery_create(partner=partner, **defaults)
