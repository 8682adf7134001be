"""The change-capture function partner triggers call, and the alliance's starting targets and risk rules."""

from django.db import migrations

from portal.insights.capture.triggers import legacy_mark_function_create, legacy_mark_function_drop

TARGETS = [
    ("annual_units", 15_000_000, 2027, "15 million smart EVs a year"),
    ("partners", 10, 2027, ""),
    ("projects", 50, 2027, ""),
    ("products", 10, 2027, ""),
]
RULES = [
    ("production_drop", 30, "Percent drop of a month's production against the month before."),
    ("export_concentration", 0.5, "Herfindahl index of the last 12 months' exports by destination (0–1)."),
    ("expiry_wave", 3, "Certificates of one partner expiring in the same month, within the next 6 months."),
    ("rising_blocks", 2, "Blocked shipments last month, as a multiple of the average of the 3 months before."),
    ("stalled_projects", 60, "Days without a stage change before an open project counts as stalled."),
]


def seed(apps, schema_editor):
    Target = apps.get_model("insights", "Target")
    RiskRule = apps.get_model("insights", "RiskRule")
    for metric, value, year, note in TARGETS:
        Target.objects.get_or_create(metric=metric, defaults={"value": value, "year": year, "note": note})
    for kind, threshold, help_text in RULES:
        RiskRule.objects.get_or_create(kind=kind, defaults={"threshold": threshold, "help": help_text})


class Migration(migrations.Migration):
    dependencies = [("insights", "0001_initial")]

    operations = [
        migrations.RunPython(legacy_mark_function_create, legacy_mark_function_drop),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
