"""Seeding rule rows from data migrations, each with its first history row.

A verdict stores the versions (newest history ids) of the rule tables it used and is rebuilt from their history
(`portal.reference.selectors.rule_set_as_of`), so a row a migration creates needs its "+" history row too;
`QuerySet.create` in a migration writes none (historical models have no signals there).

Works on the migration's historical models (`apps`), never on the current ones: keep these functions stable,
since applied migrations import them.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone


def history_record(apps, obj, *, reason: str) -> None:
    """Write the creation history row ("+") of `obj`, a row a data migration just created (`reason` ≤ 100 chars)."""
    opts = obj._meta
    history = apps.get_model(opts.app_label, f"Historical{opts.object_name}")
    kept = {field.attname for field in history._meta.concrete_fields}
    history.objects.create(
        history_date=timezone.now(),
        history_type="+",
        history_change_reason=reason,
        **{field.attname: getattr(obj, field.attname) for field in opts.concrete_fields if field.attname in kept},
    )


def rule_rows_seed(
    apps, model: str, rows: Iterable[dict], *, match: Iterable[str], reason: str, app_label: str = "reference"
) -> list:
    """Create each row (a dict of field values) unless one with the same `match` fields exists, with its history row.

    Idempotent: a rerun creates nothing. Returns the rows created. Example (in a migration's RunPython):

        rule_rows_seed(apps, "Embargo", [{"country": "KP", ...}], match=["country", "effective_from"], reason="seed")
    """
    model_class = apps.get_model(app_label, model)
    match = list(match)
    created = []
    for values in rows:
        if model_class.objects.filter(**{name: values[name] for name in match}).exists():
            continue
        obj = model_class.objects.create(**values)
        history_record(apps, obj, reason=reason)
        created.append(obj)
    return created
