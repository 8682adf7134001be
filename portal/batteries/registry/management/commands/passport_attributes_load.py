"""Load (or reload) the BatteryPass attribute list into PassportAttribute; safe to rerun."""

from django.core.management.base import BaseCommand

from portal.batteries.registry.attributes import ATTRIBUTE_LIST, attributes_load
from portal.batteries.registry.models import PassportAttribute


class Command(BaseCommand):
    help = "Load the BatteryPass attribute list (xlsx shipped in portal/batteries/reference) into the registry."

    def add_arguments(self, parser):
        parser.add_argument("--path", default=str(ATTRIBUTE_LIST), help="another copy of the attribute list")

    def handle(self, *args, path, **options):
        from pathlib import Path

        created, updated = attributes_load(PassportAttribute, Path(path))
        total = PassportAttribute.objects.count()
        self.stdout.write(f"passport attributes: {total} ({created} created, {updated} updated)")
        if created or updated:
            self.stdout.write("the mandatory attributes may have changed: run manage.py passport_completeness_refresh")
