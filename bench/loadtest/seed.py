"""The load test's world, in its scratch database: one partner with people, API keys, a WMI and models.

Run with Django set up (`python -m bench.loadtest.seed <out.json>`); writes the credentials the users need.
"""

import json
import sys

import django


def main(out_path: str) -> None:
    django.setup()
    from django_tenants.utils import schema_context

    from portal.api.scopes import ALL_SCOPES
    from portal.integrations.services import api_key_create
    from portal.reference.models import WmiAssignment
    from portal.vehicles.services import vehicle_model_create
    from tenants.choices import PartnerKind, Role
    from tenants.models import User
    from tenants.services import membership_grant, partner_provision

    password = "load-test-password-2026"
    partner = partner_provision(name="Load Test Motors", slug="load-a", kind=PartnerKind.EV_MAKER, country="CN").partner
    WmiAssignment.objects.create(wmi="LLT", partner=partner)
    people = []
    for index in range(10):
        email = f"person{index}@load-a.example"
        user = membership_grant(partner=partner, email=email, role=Role.MEMBER)
        user.set_password(password)
        user.save(update_fields=["password"])
        people.append(email)
    keys = [api_key_create(partner=partner, name=f"load {index}", scopes=ALL_SCOPES)[1] for index in range(10)]
    with schema_context(partner.schema_name):
        model = vehicle_model_create(
            name="Load L3",
            category="L3e",
            battery_chemistry="LFP",
            battery_kwh="4.00",
            connectivity=[],
            hs_code="8711.60",
        )
    assert User.objects.filter(email__in=people).count() == len(people)
    world = {
        "host": "load-a.localhost",
        "password": password,
        "people": people,
        "keys": keys,
        "model": model.name,
        "model_id": model.pk,
    }
    with open(out_path, "w", encoding="utf-8") as handle:
        json.dump(world, handle)


if __name__ == "__main__":
    main(sys.argv[1])
