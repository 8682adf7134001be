"""Statement-level triggers in the partner schema that mark changed months for the statistics pipeline."""

from django.db import migrations

from portal.insights.capture.triggers import triggers_create, triggers_drop


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0002_mark_function_and_defaults"),
        ("vehicles", "0002_import_attempts"),
        ("compliance", "0001_initial"),
        ("supply", "0001_initial"),
    ]

    operations = [migrations.RunPython(triggers_create, triggers_drop)]
