"""The demo seeds complete and incomplete passports for cq-thunder and yangtze-cells, and reruns change nothing."""

import io

import pytest
from django_tenants.utils import schema_context

from portal.batteries import demo
from portal.batteries.models import Battery, BatteryFitment
from portal.reference import demo as reference_demo
from portal.vehicles import demo as vehicles_demo

pytestmark = pytest.mark.django_db


def test_demo_seeds_complete_and_incomplete_passports_twice(world):
    partners = {"cq-thunder": world.alpha, "yangtze-cells": world.beta}
    reference_demo.seed(partners=partners, stdout=io.StringIO())
    vehicles_demo.fleets_seed(partners=partners, stdout=io.StringIO())
    for _ in range(2):
        demo.seed(partners=partners, stdout=io.StringIO())
    for slug, partner in partners.items():
        with schema_context(partner.schema_name):
            assert set(Battery.objects.values_list("complete", flat=True)) == {True, False}, slug
            assert Battery.objects.count() == sum(spec[6] for spec in demo.MODELS[slug])
    with schema_context(world.alpha.schema_name):
        assert BatteryFitment.objects.count() == 8  # cq-thunder's packs sit in its motorcycles
