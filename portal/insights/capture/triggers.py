"""Change capture: statement-level triggers in every partner schema mark the months a write touched.

One trigger per table and operation reads the transition table (all rows of the statement at once, so a
million-row COPY upsert costs one SELECT DISTINCT per date expression and one INSERT) and upserts (source, month)
rows into `insights_capture_mark` of the table's own schema (TG_TABLE_SCHEMA, never the search path, so a write
from any connection marks the right partner). The marks live with the partner's rows: on a Citus cluster the
trigger's write stays on the partner's node, in the same transaction (docs/scaling.md). The template clone copies
the triggers into every new partner.

Until insights_capture 0004 the triggers called `insights_mark_dirty()`, which wrote the public
`insights_dirtymonth` (the "legacy" function and table, kept for the migrations' history and for schemas not yet
migrated during an upgrade).

Tables and columns are named through the models' `_meta`, taken from the `apps` a migration passes (the
historical models at that point), so a fresh database, a migrated one and a cloned schema get the same SQL.
"""

from django.apps import apps as global_apps
from psycopg import sql

from ..choices import Source
from ..measures import Table


def sql_identifier(name: str) -> str:
    return sql.Identifier(name).as_string()


LEGACY_MARK_FUNCTION = r"""
CREATE OR REPLACE FUNCTION public.insights_mark_dirty() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    relation text;
    source text;
    expression text;
    transition jsonb;
    on_citus boolean := current_setting('citus.version', true) IS NOT NULL;
BEGIN
    FOREACH relation IN ARRAY CASE TG_OP
        WHEN 'INSERT' THEN ARRAY['new_rows'] WHEN 'DELETE' THEN ARRAY['old_rows']
        ELSE ARRAY['new_rows', 'old_rows'] END
    LOOP
        source := quote_ident(relation);
        IF on_citus THEN
            -- Citus cannot plan a transition table next to a distributed table (the expressions that look up
            -- shipments or vehicles): the rows are handed over as a parameter instead (docs/scaling.md).
            EXECUTE format('SELECT jsonb_agg(t) FROM %I AS t', relation) INTO transition;
            source := format('jsonb_populate_recordset(NULL::%I.%I, $1)', TG_TABLE_SCHEMA, TG_TABLE_NAME);
        END IF;
        FOR i IN 1 .. TG_NARGS - 1 LOOP
            expression := replace(TG_ARGV[i], '{schema}', quote_ident(TG_TABLE_SCHEMA));
            EXECUTE format(
                'INSERT INTO public.{DirtyMonth} (schema_name, source, month, marked_at) '
                'SELECT DISTINCT %L, %L, date_trunc(''month'', changed.d)::date, now() '
                'FROM (SELECT %s AS d FROM %s AS t) AS changed WHERE changed.d IS NOT NULL '
                'ON CONFLICT (schema_name, source, month) DO UPDATE SET marked_at = EXCLUDED.marked_at',
                TG_TABLE_SCHEMA, TG_ARGV[0], expression, source) USING transition;
        END LOOP;
    END LOOP;
    RETURN NULL;
END
$fn$;
"""
LEGACY_DROP_FUNCTION = "DROP FUNCTION IF EXISTS public.insights_mark_dirty() CASCADE;"
# The table of marks in each partner schema (`insights_capture.Mark`; named here so the function's migration needs
# no model of a tenant app).
MARK_TABLE = "insights_capture_mark"
MARK_FUNCTION = r"""
CREATE OR REPLACE FUNCTION public.insights_mark_months() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    relation text;
    source text;
    expression text;
    transition jsonb;
    found date[];
    months date[] := ARRAY[]::date[];
    on_citus boolean := current_setting('citus.version', true) IS NOT NULL;
BEGIN
    FOREACH relation IN ARRAY CASE TG_OP
        WHEN 'INSERT' THEN ARRAY['new_rows'] WHEN 'DELETE' THEN ARRAY['old_rows']
        ELSE ARRAY['new_rows', 'old_rows'] END
    LOOP
        transition := NULL;
        FOR i IN 1 .. TG_NARGS - 1 LOOP
            source := quote_ident(relation);
            IF on_citus AND position('{schema}' IN TG_ARGV[i]) > 0 THEN
                -- Citus cannot plan a transition table next to a distributed table (the expressions that look up
                -- shipments or vehicles): those rows are handed over as a parameter instead (docs/scaling.md).
                -- Only there: a parameter holds at most 256 MB, and a million-row import reads its own columns.
                IF transition IS NULL THEN
                    EXECUTE format('SELECT jsonb_agg(t) FROM %I AS t', relation) INTO transition;
                END IF;
                source := format('jsonb_populate_recordset(NULL::%I.%I, $1)', TG_TABLE_SCHEMA, TG_TABLE_NAME);
            END IF;
            expression := replace(TG_ARGV[i], '{schema}', quote_ident(TG_TABLE_SCHEMA));
            EXECUTE format(
                'SELECT array_agg(DISTINCT date_trunc(''month'', changed.d)::date) '
                'FROM (SELECT %s AS d FROM %s AS t) AS changed WHERE changed.d IS NOT NULL',
                expression, source) INTO found USING transition;
            months := months || coalesce(found, ARRAY[]::date[]);
        END LOOP;
    END LOOP;
    IF cardinality(months) > 0 THEN
        -- The table's own schema, never the search path; in month order, so two writers lock rows alike.
        EXECUTE format(
            'INSERT INTO %I.{Mark} (source, month, marked_at) '
            'SELECT DISTINCT %L, m, now() FROM unnest($1) AS m ORDER BY 2 '
            'ON CONFLICT (source, month) DO UPDATE SET marked_at = EXCLUDED.marked_at',
            TG_TABLE_SCHEMA, TG_ARGV[0]) USING months;
    END IF;
    RETURN NULL;
END
$fn$;
"""
DROP_FUNCTION = "DROP FUNCTION IF EXISTS public.insights_mark_months() CASCADE;"

# The models the templates name (`{Vehicle}`, `{Vehicle.model}`); `{schema}` stays for the function to replace.
MODELS = {
    "Vehicle": "vehicles.Vehicle",
    "VehicleModel": "vehicles.VehicleModel",
    "Shipment": "compliance.Shipment",
    "ShipmentVehicle": "compliance.ShipmentVehicle",
    "ShipmentCheck": "compliance.ShipmentCheck",
    "Certificate": "compliance.Certificate",
    "SupplyReport": "supply.SupplyReport",
    "Battery": "batteries.Battery",
    "BatteryModel": "batteries.BatteryModel",
    "DirtyMonth": "insights.DirtyMonth",
}

_SHIPPED_AT = (
    "(SELECT s.{Shipment.shipped_at} AT TIME ZONE 'UTC' FROM {schema}.{Shipment} s "
    "WHERE s.id = t.{ShipmentVehicle.shipment})"
)
_MODEL_MONTHS = "unnest(ARRAY(SELECT v.{column} FROM {schema}.{Vehicle} v WHERE v.{Vehicle.model} = t.id))"

# model → (source, expressions giving the dates whose months changed; `t` is the transition table)
CAPTURED = {
    "vehicles.Vehicle": (Source.VEHICLES, ["t.{Vehicle.production_date}", "t.{Vehicle.registration_date}"]),
    "vehicles.VehicleModel": (
        Source.VEHICLES,
        [
            _MODEL_MONTHS.replace("{column}", "{Vehicle.production_date}"),
            _MODEL_MONTHS.replace("{column}", "{Vehicle.registration_date}"),
        ],
    ),
    "compliance.Shipment": (Source.SHIPMENTS, ["(t.{Shipment.shipped_at} AT TIME ZONE 'UTC')"]),
    "compliance.ShipmentVehicle": (Source.SHIPMENTS, [_SHIPPED_AT]),
    "compliance.ShipmentCheck": (Source.SHIPMENTS, ["(t.{ShipmentCheck.checked_at} AT TIME ZONE 'UTC')"]),
    "compliance.Certificate": (Source.CERTIFICATES, ["t.{Certificate.valid_to}"]),
    "supply.SupplyReport": (Source.SUPPLY, ["t.{SupplyReport.month}"]),
    # A battery counts in the month it was registered; its model's values (carbon class, recycled shares) and
    # chemistry break down every battery of the model, so a model's change marks their months.
    "batteries.Battery": (Source.BATTERIES, ["(t.{Battery.created_at} AT TIME ZONE 'UTC')"]),
    "batteries.BatteryModel": (
        Source.BATTERIES,
        [
            "unnest(ARRAY(SELECT b.{Battery.created_at} AT TIME ZONE 'UTC' FROM {schema}.{Battery} b "
            "WHERE b.{Battery.battery_model} = t.id))"
        ],
    ),
}
# The tables each migration of insights_capture installs triggers on (a migration's state knows only the models
# of the apps it depends on).
FIRST_CAPTURED = [label for label in CAPTURED if not label.startswith("batteries.")]
BATTERIES_CAPTURED = [label for label in CAPTURED if label.startswith("batteries.")]
# A model's category also breaks down the exports of its shipped vehicles: a second trigger (updates only)
# marks the months those shipments left in.
_MODEL_EXPORT_MONTHS = (
    "unnest(ARRAY(SELECT s.{Shipment.shipped_at} AT TIME ZONE 'UTC' FROM {schema}.{Shipment} s "
    "JOIN {schema}.{ShipmentVehicle} i ON i.{ShipmentVehicle.shipment} = s.id "
    "JOIN {schema}.{Vehicle} v ON v.id = i.{ShipmentVehicle.vehicle} "
    "WHERE v.{Vehicle.model} = t.id AND s.{Shipment.shipped_at} IS NOT NULL))"
)

OPERATIONS = {
    "ins": ("INSERT", "REFERENCING NEW TABLE AS new_rows"),
    "upd": ("UPDATE", "REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows"),
    "del": ("DELETE", "REFERENCING OLD TABLE AS old_rows"),
}
# The function the triggers call: the current one, or the one the first migrations installed (their history).
FUNCTION = "insights_mark_months"
LEGACY_FUNCTION = "insights_mark_dirty"
CREATE_TRIGGER = (
    "CREATE TRIGGER insights_{suffix} AFTER {operation} ON {table} {referencing} "
    "FOR EACH STATEMENT EXECUTE FUNCTION public.{function}({arguments});"
)
DROP_TRIGGER = "DROP TRIGGER IF EXISTS insights_{suffix} ON {table};"
EXPORT_TRIGGER = (
    "CREATE TRIGGER insights_exports_upd AFTER UPDATE ON {VehicleModel} "
    "REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION public.{function}({source}, {months});"
)
DROP_EXPORT_TRIGGER = "DROP TRIGGER IF EXISTS insights_exports_upd ON {VehicleModel};"


class _Names(dict):
    """`str.format_map` names: a model's `Table` looked up in `apps` only when a template uses it (a migration's
    state holds only the models of the apps it depends on), `{schema}` kept, and the given values."""

    def __init__(self, apps, **values):
        super().__init__(schema="{schema}", **values)
        self.apps = apps

    def __missing__(self, name: str) -> Table | str:
        if name == "Mark":
            return MARK_TABLE
        return Table(self.apps.get_model(MODELS[name]))


def _render(template: str, apps, **values) -> str:
    return template.format_map(_Names(apps, **values))


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def mark_function_sql(apps=global_apps, *, legacy: bool = False) -> str:
    """The function every trigger calls (public schema); `legacy`: the one that wrote the public table."""
    return _render(LEGACY_MARK_FUNCTION if legacy else MARK_FUNCTION, apps)


def create_triggers_sql(apps=global_apps, labels=None, *, function: str = FUNCTION) -> str:
    """CREATE TRIGGER statements for the captured tables (all, or `labels`), run in a partner schema."""
    statements = []
    for label in CAPTURED if labels is None else labels:
        source, expressions = CAPTURED[label]
        arguments = ", ".join(_quoted(value) for value in [source, *(_render(e, apps) for e in expressions)])
        table = Table(apps.get_model(label))
        for suffix, (operation, referencing) in OPERATIONS.items():
            statements.append(
                CREATE_TRIGGER.format(
                    suffix=suffix,
                    operation=operation,
                    table=table,
                    referencing=referencing,
                    function=function,
                    arguments=arguments,
                )
            )
    return "\n".join(statements)


def drop_triggers_sql(apps=global_apps, labels=None) -> str:
    return "\n".join(
        DROP_TRIGGER.format(suffix=suffix, table=Table(apps.get_model(label)))
        for label in (CAPTURED if labels is None else labels)
        for suffix in OPERATIONS
    )


def export_trigger_sql(apps=global_apps, *, function: str = FUNCTION) -> str:
    """The second trigger on vehicle models: a category change marks the export months of its vehicles."""
    months = _quoted(_render(_MODEL_EXPORT_MONTHS, apps))
    return _render(EXPORT_TRIGGER, apps, source=_quoted(Source.SHIPMENTS), months=months, function=function)


def drop_export_trigger_sql(apps=global_apps) -> str:
    return _render(DROP_EXPORT_TRIGGER, apps)


# RunPython operations for the migrations: each renders its SQL from the migration's historical models.
# (params=None: the SQL holds `%` signs that are not placeholders.) The first migrations installed the legacy
# function and triggers calling it; insights_capture 0004 moves every schema to the current ones.


def legacy_mark_function_create(apps, schema_editor) -> None:
    schema_editor.execute(mark_function_sql(apps, legacy=True), params=None)


def legacy_mark_function_drop(apps, schema_editor) -> None:
    schema_editor.execute(LEGACY_DROP_FUNCTION, params=None)


def mark_function_create(apps, schema_editor) -> None:
    schema_editor.execute(mark_function_sql(apps), params=None)


def mark_function_drop(apps, schema_editor) -> None:
    schema_editor.execute(DROP_FUNCTION, params=None)


def _execute_lines(schema_editor, statements: str) -> None:
    # One statement per execute (one per line): Citus sends a DDL to the worker holding the schema as one
    # prepared statement, which cannot hold several commands (docs/scaling.md).
    for statement in statements.splitlines():
        schema_editor.execute(statement, params=None)


def triggers_create(apps, schema_editor) -> None:
    _execute_lines(schema_editor, create_triggers_sql(apps, FIRST_CAPTURED, function=LEGACY_FUNCTION))


def triggers_drop(apps, schema_editor) -> None:
    _execute_lines(schema_editor, drop_triggers_sql(apps, FIRST_CAPTURED))


def battery_triggers_create(apps, schema_editor) -> None:
    _execute_lines(schema_editor, create_triggers_sql(apps, BATTERIES_CAPTURED, function=LEGACY_FUNCTION))


def battery_triggers_drop(apps, schema_editor) -> None:
    _execute_lines(schema_editor, drop_triggers_sql(apps, BATTERIES_CAPTURED))


def export_trigger_create(apps, schema_editor) -> None:
    schema_editor.execute(export_trigger_sql(apps, function=LEGACY_FUNCTION), params=None)


def export_trigger_drop(apps, schema_editor) -> None:
    schema_editor.execute(drop_export_trigger_sql(apps), params=None)


def _triggers_point_to(apps, schema_editor, function: str) -> None:
    _execute_lines(schema_editor, drop_export_trigger_sql(apps))
    _execute_lines(schema_editor, drop_triggers_sql(apps))
    _execute_lines(schema_editor, create_triggers_sql(apps, function=function))
    _execute_lines(schema_editor, export_trigger_sql(apps, function=function))


def triggers_to_own_marks(apps, schema_editor) -> None:
    """Point this schema's triggers at the current function, then move the schema's legacy marks into its table.

    Replacing the triggers locks the captured tables until the migration commits, so every write that could still
    have marked the public table has committed before the marks are moved, and every later one marks this
    schema's table: no mark is lost, none is left behind.
    """
    _triggers_point_to(apps, schema_editor, FUNCTION)
    marks_move(apps, schema_editor, to_schema=True)


def triggers_to_public_marks(apps, schema_editor) -> None:
    """The reverse: triggers back on the legacy function, this schema's marks back into the public table."""
    _triggers_point_to(apps, schema_editor, LEGACY_FUNCTION)
    marks_move(apps, schema_editor, to_schema=False)


def marks_move(apps, schema_editor, *, to_schema: bool) -> None:
    """Move this schema's marks between the legacy public table and the schema's own (a few rows: in Python, so
    that on Citus no statement joins a reference table with a partner's table)."""
    schema = schema_editor.connection.schema_name
    legacy = Table(apps.get_model(MODELS["DirtyMonth"]))
    own = f"{sql_identifier(schema)}.{sql_identifier(MARK_TABLE)}"
    with schema_editor.connection.cursor() as cursor:
        if to_schema:
            cursor.execute(
                f"DELETE FROM public.{legacy} WHERE {legacy.schema_name} = %s "  # noqa: S608 -- model names
                f"RETURNING {legacy.source}, {legacy.month}, {legacy.marked_at}",
                [schema],
            )
            rows = cursor.fetchall()
            target = f"{own} (source, month, marked_at)"
            conflict = "(source, month)"
        else:
            cursor.execute(f"DELETE FROM {own} RETURNING source, month, marked_at")  # noqa: S608 -- names
            rows = [(schema, *row) for row in cursor.fetchall()]
            target = f"public.{legacy} ({legacy.schema_name}, {legacy.source}, {legacy.month}, {legacy.marked_at})"
            conflict = f"({legacy.schema_name}, {legacy.source}, {legacy.month})"
        if rows:
            placeholders = ", ".join(["%s"] * len(rows[0]))
            cursor.executemany(
                f"INSERT INTO {target} VALUES ({placeholders}) ON CONFLICT {conflict} DO NOTHING",  # noqa: S608
                rows,
            )
