"""The per-partner catalog look-ups that start from one schema's own rows give the answers of the queries they
replace (Django's table list, clone.py's old fingerprint), which read every schema's rows (docs/scaling.md
"Provisioning at a flat cost")."""

import pytest
from django.db import connection
from django_tenants.postgresql_backend.introspection import DatabaseSchemaIntrospection
from django_tenants.utils import schema_context

from tenants import clone


def django_table_list(schema: str) -> list:
    """Django's own get_table_list (a filter over every row of pg_class), with django-tenants' search path."""
    with schema_context(schema), connection.cursor() as cursor:
        return sorted(DatabaseSchemaIntrospection(connection).get_table_list(cursor))


def table_list(schema: str) -> list:
    with schema_context(schema), connection.cursor() as cursor:
        return sorted(connection.introspection.get_table_list(cursor))


@pytest.mark.parametrize("schema", ["public", "partner_template", "alpha"])
def test_table_list_is_djangos(world, schema):
    assert table_list(schema) == django_table_list(schema)
    assert ("django_migrations", "t", None) in [tuple(row) for row in table_list(schema)]


def test_table_list_sees_views_partitions_comments_and_temporary_tables_as_django_does(world):
    with connection.cursor() as cursor:
        cursor.execute("CREATE VIEW alpha.lookup_view AS SELECT 1 AS one")
        cursor.execute("CREATE MATERIALIZED VIEW alpha.lookup_matview AS SELECT 1 AS one")
        cursor.execute("CREATE TABLE alpha.lookup_parted (id int) PARTITION BY RANGE (id)")
        cursor.execute("CREATE TABLE alpha.lookup_part PARTITION OF alpha.lookup_parted FOR VALUES FROM (0) TO (9)")
        cursor.execute("COMMENT ON TABLE alpha.lookup_part IS 'a part'")
        cursor.execute("CREATE TABLE beta.lookup_elsewhere (id int)")
        cursor.execute("CREATE SCHEMA lookup_moved")
        cursor.execute("CREATE TABLE lookup_moved.lookup_moved_in (id int)")
        cursor.execute("ALTER TABLE lookup_moved.lookup_moved_in SET SCHEMA alpha")
        cursor.execute("CREATE TEMPORARY TABLE lookup_temporary (id int)")
    names = {row.name: row for row in table_list("alpha")}
    assert table_list("alpha") == django_table_list("alpha")
    assert {"lookup_view", "lookup_matview", "lookup_parted", "lookup_part", "lookup_moved_in"} <= set(names)
    assert "lookup_temporary" in names  # a session's temporary tables are on its search path, for Django too
    assert "lookup_elsewhere" not in names
    assert (names["lookup_part"].type, names["lookup_part"].comment) == ("p", "a part")
    assert table_list("beta") == django_table_list("beta")


OLD_FINGERPRINT = """
SELECT (SELECT count(*) FROM pg_class WHERE relnamespace = n.oid),
       (SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid WHERE c.relnamespace = n.oid),
       (SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relnamespace = n.oid)
FROM pg_namespace n WHERE n.nspname = %s
"""


def fingerprint(schema: str) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(clone.FINGERPRINT, [schema])
        return cursor.fetchone()


def test_fingerprint_counts_the_relations_columns_and_triggers_the_whole_catalog_holds(world):
    """The template's relations (all but composite types, which the reader refuses) found through pg_depend and
    pg_index are those pg_class holds in its namespace, with the same columns and triggers."""
    objects, _, relations, _, columns, _, triggers, unsupported = fingerprint("partner_template")
    with connection.cursor() as cursor:
        cursor.execute(OLD_FINGERPRINT, ["partner_template"])
        assert (relations, columns, triggers) == cursor.fetchone()
    assert objects > 0 and unsupported == 0


@pytest.mark.parametrize(
    "statement",
    [
        "CREATE INDEX lookup_index ON partner_template.django_migrations (app)",
        "ALTER TABLE partner_template.django_migrations ADD COLUMN lookup_column int",
        "ALTER TABLE partner_template.django_migrations ADD CONSTRAINT lookup_check CHECK (id > 0)",
        "CREATE SEQUENCE partner_template.lookup_sequence",
        "CREATE FUNCTION partner_template.lookup_function() RETURNS int LANGUAGE sql AS 'SELECT 1'",
        "CREATE TYPE partner_template.lookup_type AS (one int)",
        "CREATE TRIGGER lookup_trigger BEFORE UPDATE ON partner_template.django_migrations "
        "FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger()",
    ],
)
def test_fingerprint_changes_with_the_template(world, statement):
    before = fingerprint("partner_template")
    with connection.cursor() as cursor:
        cursor.execute(statement)
    assert fingerprint("partner_template") != before


def test_fingerprint_changes_when_a_table_is_replaced_by_one_of_the_same_shape(world):
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE partner_template.lookup_same (id int)")
        before = fingerprint("partner_template")
        cursor.execute("DROP TABLE partner_template.lookup_same")
        cursor.execute("CREATE TABLE partner_template.lookup_same (id int)")
    assert fingerprint("partner_template") != before


@pytest.mark.parametrize(
    "statement",
    [
        "CREATE FUNCTION partner_template.lookup_function() RETURNS int LANGUAGE sql AS 'SELECT 1'",
        "CREATE TYPE partner_template.lookup_type AS (one int)",
        "CREATE TYPE partner_template.lookup_enum AS ENUM ('one')",
        "CREATE DOMAIN partner_template.lookup_domain AS int",
        "CREATE UNLOGGED TABLE partner_template.lookup_unlogged (id int)",
        "CREATE TABLE partner_template.lookup_child () INHERITS (partner_template.django_migrations)",
        "COMMENT ON TABLE partner_template.django_migrations IS 'noted'",
        "COMMENT ON COLUMN partner_template.django_migrations.app IS 'noted'",
        "ALTER TABLE partner_template.django_migrations ALTER COLUMN app SET STATISTICS 500",
        "CREATE STATISTICS partner_template.lookup_stats ON app, name FROM partner_template.django_migrations",
        "GRANT SELECT ON partner_template.django_migrations TO PUBLIC",
    ],
)
def test_template_objects_the_reader_does_not_copy_are_refused(world, statement):
    assert clone.template_script("partner_template") is not None
    with connection.cursor() as cursor:
        cursor.execute(statement)
    assert clone.template_script("partner_template") is None  # django-tenants' clone is used instead
