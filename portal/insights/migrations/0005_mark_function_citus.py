"""The change-capture function also runs on a Citus cluster (docs/scaling.md); unchanged on PostgreSQL."""

from django.db import migrations

from portal.insights.capture.triggers import legacy_mark_function_create


class Migration(migrations.Migration):
    dependencies = [("insights", "0004_offset_behind_rule")]

    operations = [migrations.RunPython(legacy_mark_function_create, migrations.RunPython.noop)]
