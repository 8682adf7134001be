"""Battery statistics (issue 15): batteries and their models mark the months of the batteries they touch."""

from django.db import migrations

from portal.insights.capture.triggers import battery_triggers_create, battery_triggers_drop


class Migration(migrations.Migration):
    dependencies = [
        ("insights_capture", "0002_model_exports"),
        ("insights", "0005_mark_function_citus"),
        ("batteries", "0002_passportlink"),
    ]

    operations = [migrations.RunPython(battery_triggers_create, battery_triggers_drop)]
