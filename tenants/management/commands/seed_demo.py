"""Seed the demo alliance once: staff, partners of every kind, and people in every role."""

from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

from tenants.demo import DEMO_PARTNERS, DEMO_PASSWORD, STAFF_EMAIL
from tenants.models import Partner, User
from tenants.selectors import partner_url
from tenants.services import membership_grant, partner_provision

# Modules with `seed(*, partners: dict[slug, Partner], stdout)`, run in this order after the partners exist.
DOMAIN_SEEDS: list[str] = [
    "portal.collaboration.demo",
    "portal.reference.demo",
    "portal.vehicles.demo",
    "portal.vehicles.importing.demo",
    "portal.compliance.demo",
    "portal.insights.demo",  # last: it computes the statistics of everything above
]


class Command(BaseCommand):
    help = "Seed the demo alliance (safe to run again: existing rows are kept)."

    def handle(self, *args, **options):
        self._staff()
        partners = {spec["slug"]: self._partner(spec) for spec in DEMO_PARTNERS}
        for module_name in DOMAIN_SEEDS:
            # Each domain app extends the demo with its own data; every seed is idempotent.
            import_module(module_name).seed(partners=partners, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo alliance is ready."))

    def _staff(self):
        if not User.objects.filter(email=STAFF_EMAIL).exists():
            User.objects.create_superuser(email=STAFF_EMAIL, password=DEMO_PASSWORD, full_name="Alliance Secretariat")

    @transaction.atomic
    def _partner(self, spec):
        partner = Partner.objects.filter(schema_name=spec["slug"].replace("-", "_")).first()
        if partner is None:
            fields = {key: spec[key] for key in ("slug", "name", "kind", "country", "city", "tier", "member_since")}
            partner = partner_provision(**fields, invite=False).partner
            self.stdout.write(f"  provisioned {partner.name} at {partner_url(partner)}")
        for email, full_name, role in spec["people"]:
            user = membership_grant(partner=partner, email=email, role=role, full_name=full_name)
            if not user.has_usable_password():
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
        return partner
