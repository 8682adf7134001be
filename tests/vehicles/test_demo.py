"""The demo seed of the WMI register and the vehicle registry: valid, varied, and safe to run twice."""

import io

import pytest
from django_tenants.utils import schema_context

from portal.reference import demo as reference_demo
from portal.reference.models import WmiAssignment
from portal.vehicles import demo as vehicles_demo
from portal.vehicles.models import Vehicle, VehicleModel, VehicleStatusChange
from portal.vehicles.vin import vin_check, wmi_owner_map

pytestmark = pytest.mark.django_db


def test_seed_twice(world):
    partners = {"cq-thunder": world.alpha, "siam-ebike": world.beta}
    for _ in range(2):
        reference_demo.seed(partners=partners, stdout=io.StringIO())
        vehicles_demo.fleets_seed(partners=partners, stdout=io.StringIO())
    assert WmiAssignment.objects.filter(partner__in=[world.alpha, world.beta]).count() == 2
    owners = wmi_owner_map()
    for partner, slug, market in ((world.alpha, "cq-thunder", "CN"), (world.beta, "siam-ebike", "TH")):
        with schema_context(partner.schema_name):
            assert VehicleModel.objects.count() == len(vehicles_demo.MODELS[slug])
            assert Vehicle.objects.count() == vehicles_demo.FLEETS[slug][3]
            assert (
                set(Vehicle.objects.values_list("status", flat=True))
                == {
                    "produced",
                    "registered",
                    "exported",
                    "deregistered",
                }
                or slug == "siam-ebike"
            )
            for vin in Vehicle.objects.values_list("vin", flat=True):
                check = vin_check(vin, market=market, partner_id=partner.pk, wmi_owners=owners)
                assert check.ok and check.warnings == (), (vin, check)
            # Every vehicle's history starts with production and ends with its current status.
            for vehicle in Vehicle.objects.prefetch_related("status_changes"):
                steps = [change.to_status for change in vehicle.status_changes.all()]
                assert steps[0] == "produced" and steps[-1] == vehicle.status
            assert (
                VehicleStatusChange.objects.filter(vehicle__registration_country="HU").exists() or slug == "siam-ebike"
            )
