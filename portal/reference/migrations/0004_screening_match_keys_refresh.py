"""Recompute the screening list's stored matching keys with the current normalisation.

portal.reference.names now reads traditional Chinese as simplified, cuts legal forms in Arabic, Thai, Hungarian
and German, folds English plurals, and stores a third key per name (the pinyin syllables of a Han name, for
alias containment); keys stored by the earlier rules would no longer meet the consignee's keys.
"""

from django.db import migrations


def refresh(apps, schema_editor):
    from portal.reference.names import name_keys

    party = apps.get_model("reference", "ScreenedParty")
    batch = []
    for row in party.objects.only("pk", "name", "aliases").iterator(chunk_size=2000):
        row.match_keys = name_keys([row.name, *(row.aliases or [])])
        batch.append(row)
        if len(batch) >= 2000:
            party.objects.bulk_update(batch, ["match_keys"])
            batch = []
    party.objects.bulk_update(batch, ["match_keys"])


class Migration(migrations.Migration):
    dependencies = [("reference", "0003_seed_rule_tables")]

    operations = [migrations.RunPython(refresh, migrations.RunPython.noop)]
