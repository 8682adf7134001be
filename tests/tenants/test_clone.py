"""The flat-cost clone (tenants/clone.py) builds the same schema as the template, and as django-tenants' clone."""

import pytest
from django.db import connection
from django_tenants.clone import CloneSchema

from tenants import clone
from tenants.choices import PartnerKind
from tenants.services import partner_provision

# Each query returns comparable rows for one schema (%(s)s); the schema's own name is replaced by "<s>".
SHAPE = {
    "columns": """
        SELECT table_name, column_name, ordinal_position - (SELECT count(*) FROM pg_attribute a
                 JOIN pg_class c ON c.oid = a.attrelid WHERE c.relnamespace = %(s)s::regnamespace
                 AND c.relname = col.table_name AND a.attisdropped AND a.attnum < col.ordinal_position),
               data_type, udt_schema, udt_name, is_nullable, column_default, character_maximum_length,
               numeric_precision, numeric_scale, collation_name, is_identity, identity_generation, identity_start,
               identity_increment, identity_maximum, identity_minimum, identity_cycle, is_generated,
               generation_expression
        FROM information_schema.columns col WHERE table_schema = %(s)s""",
    "constraints": """
        SELECT c.relname, con.conname, con.contype, pg_get_constraintdef(con.oid), con.condeferrable,
               con.condeferred, con.convalidated
        FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid WHERE c.relnamespace = %(s)s::regnamespace""",
    "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = %(s)s",
    "sequences": """
        SELECT sequence_name, data_type, start_value, minimum_value, maximum_value, increment, cycle_option
        FROM information_schema.sequences WHERE sequence_schema = %(s)s""",
    "sequence_owners": """
        SELECT c.relname, d.deptype, d.refobjid::regclass::text, d.refobjsubid FROM pg_class c
        JOIN pg_depend d ON d.objid = c.oid AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
        WHERE c.relnamespace = %(s)s::regnamespace AND c.relkind = 'S'""",
    "triggers": """
        SELECT trigger_name, event_manipulation, event_object_table, action_statement, action_orientation,
               action_timing, action_reference_old_table, action_reference_new_table
        FROM information_schema.triggers WHERE trigger_schema = %(s)s""",
    "trigger_state": """
        SELECT c.relname, t.tgname, t.tgenabled FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
        WHERE c.relnamespace = %(s)s::regnamespace AND NOT t.tgisinternal""",
    "relations": """
        SELECT relname, relkind, relpersistence, reloptions, relrowsecurity FROM pg_class
        WHERE relnamespace = %(s)s::regnamespace""",
}


def shape(schema: str) -> dict[str, list]:
    result = {}
    with connection.cursor() as cursor:
        for name, query in SHAPE.items():
            cursor.execute(query, {"s": schema})
            rows = [
                tuple(str(value).replace(f"{schema}.", "<s>.") if isinstance(value, str) else value for value in row)
                for row in cursor.fetchall()
            ]
            result[name] = sorted(rows, key=repr)
    return result


def rows(schema: str, table: str) -> list:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {schema}.{table} ORDER BY id")
        return cursor.fetchall()


def test_provisioned_schema_has_the_template_shape_rows_and_capture_triggers(db):
    assert clone.template_script("partner_template") is not None  # the fast path, not the fallback
    partner_provision(name="Shape Motors", slug="shape-motors", kind=PartnerKind.EV_MAKER, country="CN", invite=False)
    template, copy = shape("partner_template"), shape("shape_motors")
    for part in SHAPE:
        assert copy[part] == template[part], part
    assert any(row[0].startswith("insights_") for row in copy["triggers"])
    for table in ("django_migrations", "django_content_type"):
        assert rows("shape_motors", table) == rows("partner_template", table)
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_value, is_called FROM shape_motors.django_migrations_id_seq")
        copied = cursor.fetchone()
        cursor.execute("SELECT last_value, is_called FROM partner_template.django_migrations_id_seq")
        assert copied == cursor.fetchone()


def test_django_tenants_clone_renames_unique_constraints_this_one_keeps_them(db):
    """django-tenants' clone gives UNIQUE constraints PostgreSQL's default names (a later RemoveConstraint of
    `battery_reading_unique` would fail in every cloned schema); this clone keeps the template's names."""
    connection.set_schema_to_public()
    CloneSchema().clone_schema("partner_template", "by_django_tenants")
    assert clone.schema_clone("partner_template", "by_tenants_clone")
    ours, theirs, template = shape("by_tenants_clone"), shape("by_django_tenants"), shape("partner_template")
    assert ours == template
    for part in ("columns", "sequences", "sequence_owners", "triggers", "trigger_state"):
        assert theirs[part] == ours[part], part
    names = {row[1] for row in theirs["constraints"]}
    assert "battery_reading_unique" in {row[1] for row in ours["constraints"]} - names


def test_new_rows_in_a_clone_take_the_next_ids(db):
    partner_provision(name="Ids Motors", slug="ids-motors", kind=PartnerKind.EV_MAKER, country="CN", invite=False)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ids_motors.django_migrations (app, name, applied) VALUES ('x', 'y', now()) RETURNING id"
        )
        assert cursor.fetchone()[0] == len(rows("partner_template", "django_migrations")) + 1


def test_script_is_read_again_after_the_template_changes(db):
    first = clone.template_script("partner_template")
    with connection.cursor() as cursor:
        cursor.execute("CREATE INDEX clone_test_index ON partner_template.django_migrations (app, name)")
    second = clone.template_script("partner_template")
    assert second != first and "clone_test_index" in second
    assert clone.schema_clone("partner_template", "after_change")
    assert shape("after_change") == shape("partner_template")


@pytest.mark.parametrize("statement", ["CREATE VIEW partner_template.v AS SELECT 1 AS one"])
def test_unsupported_template_objects_fall_back_to_django_tenants(db, statement):
    with connection.cursor() as cursor:
        cursor.execute(statement)
    assert clone.template_script("partner_template") is None
    partner_provision(name="Fallback", slug="fallback-ev", kind=PartnerKind.EV_MAKER, country="CN", invite=False)
    assert shape("fallback_ev")["columns"] == shape("partner_template")["columns"]
