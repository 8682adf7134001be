"""Load the BatteryPass attribute list shipped with the app (rerun later with manage.py passport_attributes_load)."""

from django.db import migrations


def load(apps, schema_editor):
    from portal.batteries.registry.attributes import attributes_load

    attributes_load(apps.get_model("batteries_registry", "PassportAttribute"))


class Migration(migrations.Migration):
    dependencies = [("batteries_registry", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
