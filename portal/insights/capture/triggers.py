"""Change capture: statement-level triggers in every partner schema mark the months a write touched.

One trigger per table and operation reads the transition table (all rows of the statement at once, so a
million-row COPY upsert costs one INSERT … SELECT DISTINCT) and upserts (schema, source, month) rows into the
public `insights_dirtymonth`. The schema is the table's own (TG_TABLE_SCHEMA), never the search path, so a
write from any connection is attributed to the right partner. `clone_schema` copies the triggers into every
new partner.
"""

MARK_FUNCTION = r"""
CREATE OR REPLACE FUNCTION public.insights_mark_dirty() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    relation text;
    expression text;
BEGIN
    FOREACH relation IN ARRAY CASE TG_OP
        WHEN 'INSERT' THEN ARRAY['new_rows'] WHEN 'DELETE' THEN ARRAY['old_rows']
        ELSE ARRAY['new_rows', 'old_rows'] END
    LOOP
        FOR i IN 1 .. TG_NARGS - 1 LOOP
            expression := replace(TG_ARGV[i], '{schema}', quote_ident(TG_TABLE_SCHEMA));
            EXECUTE format(
                'INSERT INTO public.insights_dirtymonth (schema_name, source, month, marked_at) '
                'SELECT DISTINCT %L, %L, date_trunc(''month'', changed.d)::date, now() '
                'FROM (SELECT %s AS d FROM %I AS t) AS changed WHERE changed.d IS NOT NULL '
                'ON CONFLICT (schema_name, source, month) DO UPDATE SET marked_at = EXCLUDED.marked_at',
                TG_TABLE_SCHEMA, TG_ARGV[0], expression, relation);
        END LOOP;
    END LOOP;
    RETURN NULL;
END
$fn$;
"""
DROP_FUNCTION = "DROP FUNCTION IF EXISTS public.insights_mark_dirty() CASCADE;"

_SHIPPED_AT = "(SELECT s.shipped_at AT TIME ZONE 'UTC' FROM {schema}.compliance_shipment s WHERE s.id = t.shipment_id)"
_MODEL_MONTHS = "unnest(ARRAY(SELECT v.{column} FROM {schema}.vehicles_vehicle v WHERE v.model_id = t.id))"

# table → (source, expressions giving the dates whose months changed; `t` is the transition table)
CAPTURED = {
    "vehicles_vehicle": ("vehicles", ["t.production_date", "t.registration_date"]),
    "vehicles_vehiclemodel": (
        "vehicles",
        [_MODEL_MONTHS.replace("{column}", "production_date"), _MODEL_MONTHS.replace("{column}", "registration_date")],
    ),
    "compliance_shipment": ("shipments", ["(t.shipped_at AT TIME ZONE 'UTC')"]),
    "compliance_shipmentvehicle": ("shipments", [_SHIPPED_AT]),
    "compliance_shipmentcheck": ("shipments", ["(t.checked_at AT TIME ZONE 'UTC')"]),
    "compliance_certificate": ("certificates", ["t.valid_to"]),
    "supply_supplyreport": ("supply", ["t.month"]),
}
# A model's category also breaks down the exports of its shipped vehicles: a second trigger (updates only)
# marks the months those shipments left in.
_MODEL_EXPORT_MONTHS = (
    "unnest(ARRAY(SELECT s.shipped_at AT TIME ZONE 'UTC' FROM {schema}.compliance_shipment s "
    "JOIN {schema}.compliance_shipmentvehicle i ON i.shipment_id = s.id "
    "JOIN {schema}.vehicles_vehicle v ON v.id = i.vehicle_id WHERE v.model_id = t.id AND s.shipped_at IS NOT NULL))"
)

OPERATIONS = {
    "ins": ("INSERT", "REFERENCING NEW TABLE AS new_rows"),
    "upd": ("UPDATE", "REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows"),
    "del": ("DELETE", "REFERENCING OLD TABLE AS old_rows"),
}


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def create_triggers_sql() -> str:
    """CREATE TRIGGER statements for every captured table (run in a partner schema)."""
    statements = []
    for table, (source, expressions) in CAPTURED.items():
        arguments = ", ".join(_quoted(value) for value in [source, *expressions])
        for suffix, (operation, referencing) in OPERATIONS.items():
            statements.append(
                f"CREATE TRIGGER insights_{suffix} AFTER {operation} ON {table} {referencing} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION public.insights_mark_dirty({arguments});"
            )
    return "\n".join(statements)


def drop_triggers_sql() -> str:
    return "\n".join(
        f"DROP TRIGGER IF EXISTS insights_{suffix} ON {table};" for table in CAPTURED for suffix in OPERATIONS
    )


EXPORT_TRIGGERS_SQL = (
    "CREATE TRIGGER insights_exports_upd AFTER UPDATE ON vehicles_vehiclemodel "
    "REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT "
    f"EXECUTE FUNCTION public.insights_mark_dirty('shipments', {_quoted(_MODEL_EXPORT_MONTHS)});"
)
DROP_EXPORT_TRIGGERS_SQL = "DROP TRIGGER IF EXISTS insights_exports_upd ON vehicles_vehiclemodel;"
