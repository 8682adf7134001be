"""Provision a partner from the command line (same service as the admin and the API)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tenants.choices import PartnerKind, PartnerTier
from tenants.selectors import partner_url
from tenants.services import partner_provision


class Command(BaseCommand):
    help = "Create a partner: schema, subdomain and the owner's invitation."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="subdomain, e.g. acme-motors")
        parser.add_argument("name")
        parser.add_argument("--kind", choices=PartnerKind.values, required=True)
        parser.add_argument("--country", required=True, help="ISO 3166 alpha-2 code, e.g. CN")
        parser.add_argument("--city", default="")
        parser.add_argument("--tier", choices=PartnerTier.values, default=PartnerTier.FULL)
        parser.add_argument("--owner-email")

    def handle(self, *args, **options):
        try:
            provisioned = partner_provision(
                name=options["name"],
                slug=options["slug"],
                kind=options["kind"],
                country=options["country"].upper(),
                city=options["city"],
                tier=options["tier"],
                owner_email=options["owner_email"],
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(f"{provisioned.partner.name}: {partner_url(provisioned.partner)}"))
