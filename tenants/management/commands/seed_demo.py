"""Seed the demo alliance once: staff, partners of every kind, and people in every role."""

import functools
import time
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction

from tenants.demo import DEMO_PARTNERS, DEMO_PASSWORD, STAFF_EMAIL
from tenants.models import Partner, User
from tenants.selectors import partner_url
from tenants.services import membership_grant, partner_provision


def demo_modules() -> list:
    """Every installed app's `demo` module, in INSTALLED_APPS order moved only as their `SEED_AFTER` asks.

    A demo module has `seed(*, partners: dict[slug, Partner], stdout)` (idempotent) and may name the apps whose demo
    must run first in `SEED_AFTER` (`"*"`: after every other demo).
    """
    found = {}
    for config in apps.get_app_configs():
        name = f"{config.name}.demo"
        if find_spec(name) is not None:
            module = import_module(name)
            if hasattr(module, "seed"):  # `tenants.demo` is the partner list this command reads, not a seed
                found[config.name] = module
    ordered, placed = [], set()

    def place(app: str, trail: tuple = ()) -> None:
        if app in placed or app not in found:
            return
        if app in trail:
            raise RuntimeError(f"demo seeds wait for each other: {' -> '.join((*trail, app))}")
        after = getattr(found[app], "SEED_AFTER", ())
        for before in [other for other in found if other != app] if "*" in after else after:
            if "*" not in getattr(found.get(before), "SEED_AFTER", ()):
                place(before, (*trail, app))
        placed.add(app)
        ordered.append(found[app])

    for app in found:
        place(app)
    return ordered


class Command(BaseCommand):
    help = "Seed the demo alliance (safe to run again: existing rows are kept)."

    def handle(self, *args, **options):
        started = time.perf_counter()
        self._staff()
        partners = {spec["slug"]: self._partner(spec) for spec in DEMO_PARTNERS}
        self.stdout.write(f"  {len(partners)} partners in {time.perf_counter() - started:.1f} s")
        for module in demo_modules():
            # Each app extends the demo with its own data; every seed is idempotent.
            begun = time.perf_counter()
            module.seed(partners=partners, stdout=self.stdout)
            self.stdout.write(f"  {module.__name__} in {time.perf_counter() - begun:.1f} s")
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"Demo alliance is ready ({elapsed:.0f} s)."))

    @functools.cache  # noqa: B019 (one command, one hash): hashing costs ~0.5 s, the demo has a person per partner
    def _password_hash(self) -> str:
        return make_password(DEMO_PASSWORD)

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
                user.password = self._password_hash()
                user.save(update_fields=["password"])
        return partner
