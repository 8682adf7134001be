"""The change-capture function that marks a month in the partner's own schema (insights_capture.Mark).

Only created here: each schema's triggers move to it in insights_capture 0004, with that schema's marks.
"""

from django.db import migrations

from portal.insights.capture.triggers import mark_function_create, mark_function_drop


class Migration(migrations.Migration):
    dependencies = [("insights", "0006_battery_breakdowns")]

    operations = [migrations.RunPython(mark_function_create, mark_function_drop)]
