"""The marks move into each partner's schema: the triggers write `insights_capture_mark` beside the rows they
mark (on Citus on the same node, in the same transaction), and the schema's public marks move with them."""

from django.db import migrations, models

from portal.insights.capture.triggers import triggers_to_own_marks, triggers_to_public_marks


class Migration(migrations.Migration):
    dependencies = [
        ("insights_capture", "0003_batteries"),
        ("insights", "0007_mark_months_function"),
    ]

    operations = [
        migrations.CreateModel(
            name="Mark",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("vehicles", "Vehicle registry"),
                            ("shipments", "Shipments"),
                            ("certificates", "Certificates"),
                            ("supply", "Supply reports"),
                            ("batteries", "Battery passports"),
                        ],
                        max_length=16,
                    ),
                ),
                ("month", models.DateField()),
                ("marked_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "db_table": "insights_capture_mark",
                "constraints": [models.UniqueConstraint(fields=("source", "month"), name="capture_mark_once")],
            },
        ),
        migrations.RunPython(triggers_to_own_marks, triggers_to_public_marks),
    ]
