"""A vehicle model's category change also marks the export months of its shipped vehicles."""

from django.db import migrations

from portal.insights.capture.triggers import DROP_EXPORT_TRIGGERS_SQL, EXPORT_TRIGGERS_SQL


class Migration(migrations.Migration):
    dependencies = [("insights_capture", "0001_triggers")]

    operations = [migrations.RunSQL(EXPORT_TRIGGERS_SQL, DROP_EXPORT_TRIGGERS_SQL)]
