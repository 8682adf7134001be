"""The `+` history rows of imported batteries, written when they are first needed (docs/batteries.md, "Bulk import").

A battery a bulk import creates without a vehicle gets no history row of its own: its import run's
`BatteryImportBatch` row tells when, by whom and why, and the battery row is its state when created, as long as it
has not changed. Nothing changes a battery's shown fields without a history row (the services save through
django-simple-history, the import writes `~` rows, a vehicle's deletion can only empty a vehicle the battery had);
so just before a battery first changes or is deleted, `creations_write` copies its current row into the history as
its `+` row, with the batch's date, person and reason, exactly the row the import would have written. From then on
the history is the usual one. `selectors.battery_history` shows a battery that has no history row yet from the
batch and the battery row (`creation_of`).
"""

from django.db import connection
from django.db.models.signals import pre_delete, pre_save
from psycopg import sql

from .models import Battery, BatteryImportBatch

HISTORY = Battery.history.model


def history_columns() -> list[str]:
    """The battery columns its history table copies (every concrete field of Battery but `updated_at`)."""
    kept = {field.column for field in HISTORY._meta.concrete_fields}
    return [field.column for field in Battery._meta.concrete_fields if field.column in kept]


def creations_write(cursor, where: sql.Composable, params=None) -> int:
    """Write the `+` history row of the batteries `b` that `where` selects, have no history row yet and were
    created by an import batch (the batch's date, person and reason; the battery row as it is now). Returns how
    many were written. Run it before a change, never after."""
    columns = history_columns()
    cursor.execute(
        sql.SQL(
            """INSERT INTO {history} ({cols}, history_date, history_type, history_user_id, history_change_reason)
               SELECT {b_cols}, k.history_date, '+', k.history_user_id, k.history_change_reason
               FROM {battery} b
               JOIN LATERAL (SELECT k.history_date, k.history_user_id, k.history_change_reason FROM {batch} k
                             WHERE b.id BETWEEN k.first_id AND k.last_id ORDER BY k.id DESC LIMIT 1) k ON true
               WHERE ({where}) AND NOT EXISTS (SELECT 1 FROM {history} h WHERE h.id = b.id)"""
        ).format(
            history=sql.Identifier(HISTORY._meta.db_table),
            battery=sql.Identifier(Battery._meta.db_table),
            batch=sql.Identifier(BatteryImportBatch._meta.db_table),
            cols=sql.SQL(", ").join(map(sql.Identifier, columns)),
            b_cols=sql.SQL(", ").join(sql.Identifier("b", column) for column in columns),
            where=where,
        ),
        params,
    )
    return cursor.rowcount


def creation_of(battery: Battery):
    """The `+` history record of a battery an import created that has none stored yet (unsaved: its state is the
    battery row's), or None."""
    batch = (
        BatteryImportBatch.objects.filter(first_id__lte=battery.pk, last_id__gte=battery.pk)
        .select_related("history_user")
        .order_by("-id")
        .first()
    )
    if batch is None:
        return None
    copied = set(history_columns())
    record = HISTORY(
        **{
            field.attname: getattr(battery, field.attname)
            for field in Battery._meta.concrete_fields
            if field.column in copied
        },
        history_date=batch.history_date,
        history_type="+",
        history_user=batch.history_user,
        history_change_reason=batch.history_change_reason,
    )
    return record


def _before_save(sender, instance: Battery, raw=False, **kwargs) -> None:
    if raw or instance.pk is None or instance._state.adding:
        return
    with connection.cursor() as cursor:
        creations_write(cursor, sql.SQL("b.id = %s"), [instance.pk])


def _before_delete(sender, instance: Battery, **kwargs) -> None:
    if instance.pk is None:
        return
    with connection.cursor() as cursor:
        creations_write(cursor, sql.SQL("b.id = %s"), [instance.pk])


def register() -> None:
    """Connect the receivers (from BatteriesConfig.ready())."""
    pre_save.connect(_before_save, sender=Battery, dispatch_uid="battery_creation_before_save")
    pre_delete.connect(_before_delete, sender=Battery, dispatch_uid="battery_creation_before_delete")
