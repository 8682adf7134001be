"""django-tenants' PostgreSQL backend, with a schema editor that also works on a Citus cluster.

Citus refuses `ALTER TABLE … ADD COLUMN … CHECK (…)` / `UNIQUE` (every constraint it propagates must have an
explicit name). Django writes a new field's CHECK (positive integers) and UNIQUE inline in its ADD COLUMN; on
Citus (the `citus` extension present) this editor adds the column bare and then the constraint under the name
PostgreSQL itself gives an inline one (`<table>_<column>_check`, `<table>_<column>_key`), so a schema migrated on
Citus has the same constraint names as one migrated on plain PostgreSQL, where nothing changes (docs/scaling.md).
A new foreign key column gets its constraint in a statement of its own (Citus sends one command per statement).

Listing the tables of the current schema (`introspection.table_names()`: `MigrationRecorder.has_table()`, so every
`migrate_schemas`, once per schema, and the `--fake` pass after each new partner's clone) starts from the schema's
own catalog rows: Django's query filters every row of `pg_class` with `pg_table_is_visible()` (pg_class has no
index on the namespace), a cost that grows with every partner's ~280 relations (docs/scaling.md "Provisioning at
a flat cost"). Every table, view, sequence, materialized view and foreign table has a `pg_depend` row on its
namespace (PostgreSQL records one for every relation but indexes, TOAST tables and composite types), so the
same rows are found through that index, still filtered by `pg_table_is_visible()`: the same answer.

Any other alias with this engine (a read replica, docs/scaling.md "Read replicas") follows the tenant connection:
django-tenants sets the partner's schema only on that one (`TenantMainMiddleware`, `schema_context`), so before
every cursor a follower takes the same tenant and issues the same `SET search_path`. A replica connection kept
open from another partner's request can never read that partner's schema.
"""

from django.db import connections
from django.db.backends.postgresql.introspection import TableInfo
from django_tenants.postgresql_backend import base
from django_tenants.postgresql_backend.introspection import (
    DatabaseSchemaIntrospection,
    DatabaseSchemaIntrospectionSearchPathContext,
)
from django_tenants.utils import get_tenant_database_alias


class DatabaseSchemaEditor(base.DatabaseWrapper.SchemaEditorClass):
    def _citus(self) -> bool:
        cached = getattr(self.connection, "_portal_citus", None)
        if cached is None:
            with self.connection.cursor() as cursor:
                cursor.execute("SELECT EXISTS (SELECT FROM pg_extension WHERE extname = 'citus')")
                cached = self.connection._portal_citus = cursor.fetchone()[0]
        return cached

    def add_field(self, model, field):
        if field.many_to_many or not self._citus():
            return super().add_field(model, field)
        # Django writes an inline foreign key as `…; SET CONSTRAINTS … IMMEDIATE`, two commands that Citus cannot
        # send to a worker in one prepared statement: the constraint is added after the column instead.
        self.sql_create_column_inline_fk = None
        params = field.db_parameters(connection=self.connection)
        check, unique = params.get("check"), field.unique and not field.primary_key
        table = model._meta.db_table
        field.db_parameters = lambda connection: {**params, "check": None}
        saved = field.__dict__.get("unique")  # a cached_property
        field.__dict__["unique"] = False if unique else field.unique
        db_index = field.db_index
        field.db_index = db_index and not unique  # a unique column has its constraint's index, no other
        try:
            super().add_field(model, field)
        finally:
            del field.db_parameters
            field.db_index = db_index
            if saved is None:
                del field.__dict__["unique"]
            else:
                field.__dict__["unique"] = saved
        if check:
            name = self.quote_name(f"{table}_{field.column}_check"[:63])
            self.execute(f"ALTER TABLE {self.quote_name(table)} ADD CONSTRAINT {name} CHECK ({check})")
        if unique:
            name = self.quote_name(f"{table}_{field.column}_key"[:63])
            column = self.quote_name(field.column)
            self.execute(f"ALTER TABLE {self.quote_name(table)} ADD CONSTRAINT {name} UNIQUE ({column})")
        return None


# Django's get_table_list (django/db/backends/postgresql/introspection.py), from the schemas on the search path.
TABLE_LIST = """
SELECT c.relname,
       CASE WHEN c.relispartition THEN 'p' WHEN c.relkind IN ('m', 'v') THEN 'v' ELSE 't' END,
       pg_catalog.obj_description(c.oid, 'pg_class')
FROM pg_catalog.pg_namespace n
JOIN pg_catalog.pg_depend d ON d.refclassid = 'pg_catalog.pg_namespace'::pg_catalog.regclass AND d.refobjid = n.oid
     AND d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objsubid = 0
JOIN pg_catalog.pg_class c ON c.oid = d.objid
WHERE n.nspname = ANY (pg_catalog.current_schemas(true)) AND n.nspname NOT IN ('pg_catalog', 'pg_toast')
  AND c.relkind IN ('f', 'm', 'p', 'r', 'v') AND pg_catalog.pg_table_is_visible(c.oid)
"""


class DatabaseIntrospection(DatabaseSchemaIntrospection):
    def get_table_list(self, cursor):
        with DatabaseSchemaIntrospectionSearchPathContext(cursor=cursor, connection=self.connection):
            cursor.execute(TABLE_LIST)
            return [TableInfo(*row) for row in cursor.fetchall() if row[0] not in self.ignored_tables]


class DatabaseWrapper(base.DatabaseWrapper):
    SchemaEditorClass = DatabaseSchemaEditor

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.introspection = DatabaseIntrospection(self)

    def _cursor(self, name=None):
        self.tenant_follow()
        return super()._cursor(name)

    def tenant_follow(self) -> None:
        """On any alias but the tenant one: take that connection's tenant (schema and search path) now."""
        alias = get_tenant_database_alias()
        if self.alias == alias:
            return
        leader = connections[alias]  # thread-local: the connection of this very request or task
        if (self.tenant, self.schema_name, self.include_public_schema) == (
            leader.tenant,
            leader.schema_name,
            leader.include_public_schema,
        ):
            return
        # Not set_tenant(): that also empties ContentType's cache, which the leader's own switch already did.
        self.tenant = leader.tenant
        self.schema_name = leader.schema_name
        self.include_public_schema = leader.include_public_schema
        self.set_settings_schema(self.schema_name)
        self.search_path_set_schemas = None
