"""Bring the database to the current code: public schema, schema template, every partner."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from tenants.citus import public_tables_distribute
from tenants.services import public_tenant_ensure, template_schema_ensure


class Command(BaseCommand):
    help = "Migrate the public schema and every partner schema, and create the public host and schema template."

    def handle(self, *args, **options):
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        # On Citus: public tables become reference tables before a partner schema refers to them (no-op otherwise).
        public_tables_distribute()
        public_tenant_ensure()
        template_schema_ensure()
        # Template first, so partners provisioned right after are cloned from an up-to-date schema.
        call_command("migrate_schemas", tenant=True, interactive=False, verbosity=0)
        self.stdout.write(self.style.SUCCESS("Database is up to date."))
