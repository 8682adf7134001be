"""A vehicle model's category change also marks the export months of its shipped vehicles."""

from django.db import migrations

from portal.insights.capture.triggers import export_trigger_create, export_trigger_drop


class Migration(migrations.Migration):
    dependencies = [("insights_capture", "0001_triggers")]

    operations = [migrations.RunPython(export_trigger_create, export_trigger_drop)]
