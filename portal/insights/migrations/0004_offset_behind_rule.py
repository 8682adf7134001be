"""The risk rule on local-production offsets (Thailand EV 3.5): a partner projected short of its obligation."""

from django.db import migrations, models

KINDS = [
    ("production_drop", "Production dropped month over month"),
    ("export_concentration", "Exports concentrated on one market"),
    ("expiry_wave", "Wave of certificates expiring"),
    ("rising_blocks", "Rising blocked shipments"),
    ("stalled_projects", "Stalled projects"),
    ("offset_behind", "Local production offset behind (Thailand EV 3.5)"),
]


def seed(apps, schema_editor):
    apps.get_model("insights", "RiskRule").objects.get_or_create(
        kind="offset_behind",
        defaults={
            "threshold": 0,
            "help": "Vehicles the offset ledger's projection may fall short of the obligation before it warns.",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("insights", "0003_funnel")]

    operations = [
        migrations.AlterField(
            model_name="riskrule",
            name="kind",
            field=models.CharField(choices=KINDS, max_length=24, unique=True, verbose_name="rule"),
        ),
        migrations.AlterField(
            model_name="riskwarning",
            name="kind",
            field=models.CharField(choices=KINDS, max_length=24),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
