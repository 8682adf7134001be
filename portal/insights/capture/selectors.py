"""Which partners have marks, read across their schemas (each schema keeps its own `insights_capture_mark`)."""

from django.db import connection

from .triggers import MARK_TABLE, sql_identifier

# Schemas per statement: each leg locks the schema's table and its index (max_locks_per_transaction, TENANCY.md).
BATCH = 100
# Only schemas that have the table: during an upgrade a schema not migrated yet still marks the public table.
WITH_TABLE = """
SELECT n.nspname FROM pg_namespace n JOIN pg_class c ON c.relnamespace = n.oid
WHERE c.relname = %s AND n.nspname = ANY(%s)
"""


def marked_schemas(*, schemas: list[str]) -> set[str]:
    """The schemas among `schemas` with at least one mark (one statement per 100 schemas; the coordinator on Citus
    sends each leg to the node holding that schema)."""
    if not schemas:
        return set()
    found: set[str] = set()
    with connection.cursor() as cursor:
        cursor.execute(WITH_TABLE, [MARK_TABLE, list(schemas)])
        present = sorted(row[0] for row in cursor.fetchall())
        table = sql_identifier(MARK_TABLE)
        for start in range(0, len(present), BATCH):
            batch = present[start : start + BATCH]
            legs = [
                # Not `WHERE EXISTS (SELECT FROM …)`: Citus 13.2 refuses that form ("a column definition list is
                # required") and would read the whole table; each LIMIT 1 runs on the schema's node.
                f"(SELECT %s::text FROM (SELECT 1 FROM {sql_identifier(schema)}.{table} LIMIT 1) AS m)"  # noqa: S608
                for schema in batch
            ]
            cursor.execute(" UNION ALL ".join(legs), batch)
            found.update(row[0] for row in cursor.fetchall())
    return found
