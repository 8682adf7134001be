"""The EU battery passport rule row (seeded by 0009 as a note) checks complete passports: every battery fitted to the
shipment's vehicles needs a complete passport; blocked from 2027-02-18 (placed on the EU market), needs review
before (with the count of incomplete passports). The row is changed, not added, with its "~" history row, so
verdicts stay rebuildable. Idempotent.
"""

import datetime

from django.db import migrations, models
from django.utils import timezone

REASON = "issue 15: battery passports checked"
NOTE = (
    "Every battery fitted to the shipment's vehicles needs a complete passport (mandatory static attributes of its "
    "category); before 2027-02-18 incomplete passports need a review."
)


def battery_rule(apps, schema_editor):
    requirement = apps.get_model("reference", "MarketRequirement")
    history = apps.get_model("reference", "HistoricalMarketRequirement")
    kept = {field.attname for field in history._meta.concrete_fields}
    rows = requirement.objects.filter(market="EU", certificate_type__code="eu-battery-passport")
    for row in rows:
        if row.battery_passports and row.effect == "block":
            continue
        row.battery_passports = True
        row.effect = "block"
        row.effective_from = datetime.date(2027, 2, 18)
        row.note = NOTE
        row.save()
        history.objects.create(
            history_date=timezone.now(),
            history_type="~",
            history_change_reason=REASON,
            **{
                field.attname: getattr(row, field.attname)
                for field in row._meta.concrete_fields
                if field.attname in kept
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("reference", "0010_offset_schemes"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalmarketrequirement",
            name="battery_passports",
            field=models.BooleanField(
                default=False,
                help_text="Every battery fitted to the shipment's vehicles needs a complete passport "
                "(its effect from the start "
                "date; before it, incomplete passports need a review). No certificate is checked.",
                verbose_name="complete battery passports",
            ),
        ),
        migrations.AddField(
            model_name="marketrequirement",
            name="battery_passports",
            field=models.BooleanField(
                default=False,
                help_text="Every battery fitted to the shipment's vehicles needs a complete passport "
                "(its effect from the start "
                "date; before it, incomplete passports need a review). No certificate is checked.",
                verbose_name="complete battery passports",
            ),
        ),
        migrations.RunPython(battery_rule, migrations.RunPython.noop),
    ]
