"""The portal on a Citus cluster (schema-based sharding): what changes when the `citus` extension is present.

On plain PostgreSQL every function here is a no-op, so the same code runs on both (docs/scaling.md):

* Partner tables have foreign keys to public tables (people, partners, reference data); Citus accepts those only
  to *reference tables* (copied to every node). `public_tables_distribute` makes those public tables (and what
  they refer to) reference tables, right after the public schema's migrations (portal_setup) and before any
  partner schema exists. The other public tables stay on the coordinator (Citus local tables when they refer to
  a reference table): the statistics' facts and cells, runs, audit rows are written there once, not copied to
  every node in a two-phase commit (docs/scaling.md, `bench scale`).
* With `citus.enable_schema_based_sharding` on, every `CREATE SCHEMA` (the template, each partner) becomes a
  distributed schema that lives whole on one node; nothing here needs to do more for it.
* The change-capture triggers (portal/insights/capture) need `citus.enable_unsafe_triggers`: set on the database,
  so every new connection has it (Citus propagates the setting to the workers). They write only tables of the
  partner's own schema, on the same node (Citus allows a trigger on a shard local tasks only), so
  `citus.allow_nested_distributed_execution` stays off.
"""

from django.db import connection

# The public tables partner tables refer to, and every public table those refer to in turn, referred-to first
# (a reference table may refer only to reference tables); those not converted yet.
REFERENCE = """
WITH RECURSIVE needed(oid, depth) AS (
    SELECT c.oid, 0 FROM pg_class c
    WHERE c.relnamespace = 'public'::regnamespace AND c.relname = ANY(%(tables)s)
  UNION
    SELECT k.confrelid, n.depth + 1 FROM pg_constraint k JOIN needed n ON k.conrelid = n.oid
    WHERE k.contype = 'f' AND k.confrelid <> k.conrelid AND n.depth < 50
)
SELECT c.oid::regclass::text FROM needed n JOIN pg_class c ON c.oid = n.oid
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND NOT EXISTS (SELECT FROM pg_dist_partition p WHERE p.logicalrelid = c.oid AND p.repmodel = 't')
GROUP BY c.oid ORDER BY max(n.depth) DESC, c.oid
"""

# Identity/serial sequences of the converted tables, moved to at least the highest id (Citus re-creates them).
SEQUENCES = """
SELECT d.refobjid::regclass::text, quote_ident(a.attname), s.oid::regclass::text
FROM pg_class s JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
WHERE s.relkind = 'S' AND s.relnamespace = 'public'::regnamespace
"""


def citus_present() -> bool:
    """Whether this connection's database has the citus extension (asked once per connection)."""
    cached = getattr(connection.connection, "_portal_citus", None) if connection.connection else None
    if cached is None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT EXISTS (SELECT FROM pg_extension WHERE extname = 'citus')")
            cached = cursor.fetchone()[0]
        connection.connection._portal_citus = cached
    return cached


def public_tables_partners_refer_to() -> list[str]:
    """The public tables that partner tables (tenant apps' models, their many-to-many tables too) refer to."""
    from django.apps import apps
    from django.conf import settings

    public_only = {app for app in settings.SHARED_APPS if app not in settings.TENANT_APPS}
    partner_apps = {app for app in settings.TENANT_APPS if app not in settings.SHARED_APPS}

    def app_of(model) -> str:
        return model._meta.app_config.name

    tables = set()
    for model in apps.get_models(include_auto_created=True):
        if app_of(model) not in partner_apps:
            continue
        for field in model._meta.get_fields():
            related = field.related_model if field.is_relation and field.concrete else None
            if related is not None and app_of(related) in public_only:
                tables.add(related._meta.db_table)
    # The legacy change-capture function wrote this table from the partners' nodes (schemas not yet migrated).
    tables.add(apps.get_model("insights", "DirtyMonth")._meta.db_table)
    return sorted(tables)


def public_tables_distribute() -> list[str]:
    """Make the public tables partner tables refer to reference tables (idempotent); the tables converted now."""
    if not citus_present():
        return []
    converted = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        database = cursor.fetchone()[0]
        cursor.execute(f'ALTER DATABASE "{database}" SET citus.enable_unsafe_triggers TO on')
        # Not citus.allow_nested_distributed_execution: the capture triggers write the schema's own marks, a
        # local task on the shard's node (docs/scaling.md). A database set up before still has it on: the
        # legacy triggers of schemas not yet migrated need it; RESET it once every schema is migrated.
        # An INSERT … SELECT into a table with an identity column is not pushed down by Citus 13.2 (nextval is
        # volatile); its SELECT is planned alone, and a join of two shard-key-less tables of one schema becomes a
        # repartition join, refused unless this is on. The vehicle import no longer has such a join (make
        # scale-test runs it with this off); the battery import has INSERT … SELECT joins of that shape and is
        # not tested on Citus, so the setting stays.
        cursor.execute(f'ALTER DATABASE "{database}" SET citus.enable_repartition_joins TO on')
        cursor.execute("SET citus.enable_unsafe_triggers TO on")
        cursor.execute(REFERENCE, {"tables": public_tables_partners_refer_to()})
        for (table,) in cursor.fetchall():
            cursor.execute("SELECT create_reference_table(%s)", [table])
            converted.append(table)
        cursor.execute(SEQUENCES)
        for table, column, sequence in cursor.fetchall():
            cursor.execute(
                f"SELECT setval(%s, GREATEST((SELECT max({column}) FROM {table}), 1), "  # noqa: S608 -- catalog names
                f"(SELECT max({column}) FROM {table}) IS NOT NULL)",
                [sequence],
            )
    return converted
