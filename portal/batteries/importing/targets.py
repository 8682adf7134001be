"""The battery passports' kinds of import: batteries, and their readings (the pipeline is the vehicle import's).

Rows are checked in Python while streaming (identifier, model, category, status, dates, numbers, passport
values) and in SQL over the whole staging table (a VIN of the partner's, an identifier no other partner holds, a
status step the battery may take, the battery of a reading). The upsert writes in one transaction: batteries
(with their `complete` flag computed in the same statement, their fitments, the alliance's passport index, and
their history: `~` rows for changed batteries, `+` rows for new fitted ones, one `BatteryImportBatch` row for the
run's other new batteries, whose `+` rows `creation.py` writes when they first change), or readings (one per
battery, time and source: a second import updates them), and tells the partner's webhooks once per run
(`imported_event`), not once per row.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from json.encoder import encode_basestring as _json_string

from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from psycopg import sql

from portal.integrations.models import WebhookEvent
from portal.integrations.webhooks import webhook_event_emit
from portal.vehicles.importing.headers import HeaderSpec, in_every_language, normalise
from portal.vehicles.importing.pipeline import Stage, import_job_links, stage_error_add, timed
from portal.vehicles.importing.rows import parse_date
from portal.vehicles.importing.targets import ImportPage, ImportTarget, import_target_register
from portal.vehicles.models import ImportJob, Vehicle
from tenants.citus import citus_present
from tenants.models import Partner

from ..choices import BatteryCategory, BatteryStatus, Behaviour, ReadingSource
from ..creation import creations_write, history_columns
from ..models import Battery, BatteryFitment, BatteryImportBatch, BatteryModel, BatteryReading
from ..registry.models import PassportAttribute, PassportIndex
from ..selectors import COLUMN_VALUES
from ..services import IDENTIFIER_MAX, IDENTIFIER_PATTERN, STATUS_TRANSITIONS

BATTERIES = "batteries"
READINGS = "battery_readings"
KINDS = (BATTERIES, READINGS)
VALUE_PREFIX = "value:"  # header fields that are passport attributes: "value:<attribute id>"

BATTERY = Battery._meta.db_table
HISTORY = Battery.history.model._meta.db_table
FITMENT = BatteryFitment._meta.db_table
READING = BatteryReading._meta.db_table
MODEL = BatteryModel._meta.db_table
VEHICLE = Vehicle._meta.db_table

BATTERY_ALIASES: dict[str, tuple[str, ...]] = {
    "identifier": (
        "identifier",
        "batteryidentifier",
        "uniqueidentifier",
        "batterypassportidentifier",
        "passportidentifier",
        "batteryid",
        "电池编码",
        "电池编号",
        "电池唯一标识",
        "电池身份码",
    ),
    "model": ("model", "batterymodel", "modelcode", "batterymodelcode", "电池型号", "型号"),
    "category": ("category", "batterycategory", "电池类别", "类别"),
    "status": ("status", "batterystatus", "电池状态", "状态"),
    "vin": ("vin", "vehicle", "vehiclevin", "vincode", "车架号", "vin码", "车辆识别代号"),
    "fitted_on": ("fittedon", "fitted", "fitteddate", "installedon", "installationdate", "装车日期", "安装日期"),
}
BATTERY_LABELS = {
    "identifier": gettext_lazy("Battery identifier"),
    "model": gettext_lazy("Battery model code"),
    "category": gettext_lazy("Battery category"),
    "status": gettext_lazy("Battery status"),
    "vin": gettext_lazy("VIN"),
    "fitted_on": gettext_lazy("Fitted on"),
}
READING_ALIASES: dict[str, tuple[str, ...]] = {
    "identifier": BATTERY_ALIASES["identifier"],
    "measured_at": ("measuredat", "measured", "time", "timestamp", "date", "datetime", "测量时间", "时间", "日期"),
    "state_of_health": ("stateofhealth", "soh", "stateofhealthpercent", "健康状态", "健康度"),
    "capacity_fade": ("capacityfade", "fade", "capacityfadepercent", "容量衰减"),
    "cycles": ("cycles", "fullcycles", "cyclecount", "numberofcycles", "循环次数"),
    "energy_throughput": ("energythroughput", "throughput", "energythroughputkwh", "能量吞吐量"),
    "negative_event": ("negativeevent", "event", "negativeevents", "accident", "异常事件", "事件"),
    "source": ("source", "readingsource", "来源"),
}
READING_LABELS = {
    "identifier": gettext_lazy("Battery identifier"),
    "measured_at": gettext_lazy("Measured at"),
    "state_of_health": gettext_lazy("State of health (%)"),
    "capacity_fade": gettext_lazy("Capacity fade (%)"),
    "cycles": gettext_lazy("Full cycles"),
    "energy_throughput": gettext_lazy("Energy throughput (kWh)"),
    "negative_event": gettext_lazy("Negative event"),
    "source": gettext_lazy("Source"),
}
MAX_VALUE_CHARS = 2000
MAX_EVENT_CHARS = 2000


def _value_columns() -> dict[str, str]:
    """Passport attributes a battery row may carry as columns: every static attribute that is not a column of
    the battery itself, by its id and by its name (normalised) → "value:<id>"."""
    found: dict[str, str] = {}
    rows = PassportAttribute.objects.filter(behaviour=Behaviour.STATIC).values_list("code", "name")
    for code, name in rows:
        if code in COLUMN_VALUES:
            continue
        found.setdefault(normalise(code), VALUE_PREFIX + code)
        found.setdefault(normalise(name), VALUE_PREFIX + code)
    return found


BATTERY_HEADERS = HeaderSpec(
    aliases=BATTERY_ALIASES, labels=BATTERY_LABELS, required=("identifier", "model"), extra=_value_columns
)
READING_HEADERS = HeaderSpec(
    aliases=READING_ALIASES, labels=READING_LABELS, required=("identifier", "measured_at"), extra=None
)


def required_codes() -> dict[str, list[str]]:
    """Per category, the mandatory static attributes whose value lives in `values` (the battery's or its
    model's): what a complete passport must hold besides the battery's own columns."""
    codes: dict[str, list[str]] = {category: [] for category in BatteryCategory.values}
    attributes = PassportAttribute.objects.filter(behaviour=Behaviour.STATIC).exclude(mandatory_for=[])
    for code, categories in attributes.order_by("number").values_list("code", "mandatory_for"):
        if code in COLUMN_VALUES:
            continue
        for category in categories:
            if category in codes:
                codes[category].append(code)
    return codes


def battery_template_header() -> list[str]:
    """The batteries template: the columns in the reader's language, then the ids of the mandatory attributes
    kept per battery or model (the passport values a complete passport needs)."""
    seen: list[str] = []
    for codes in required_codes().values():
        seen += [code for code in codes if code not in seen]
    return [*BATTERY_HEADERS.template_header(), *seen]


def _identifier(raw: str) -> tuple[str | None, str | None]:
    value = raw.strip().upper()
    if not value:
        return None, _("This column is required.")
    if len(value) > IDENTIFIER_MAX or not IDENTIFIER_PATTERN.match(value):
        return None, _("An ISO/IEC 15459 identifier has 2 to 100 characters: letters A–Z, digits and - . / only.")
    return value, None


class Choices:
    """A choice list read from cells: its values (any case) or its labels in any of the portal's languages."""

    def __init__(self, choices):
        self.values = {str(value).casefold(): str(value) for value in choices.values}
        self.labels = in_every_language(dict(choices.choices))

    def get(self, raw: str) -> str | None:
        return self.values.get(raw.strip().casefold()) or self.labels.get(normalise(raw))


PROBLEM_COLUMNS = ("err_column", "err_value", "err_reason", "warn_column", "warn_value", "warn_reason")


def _stage_columns(*own: str) -> tuple[str, ...]:
    """The COPY columns of a kind: the line, the identifier, the kind's own, then the problem arrays."""
    return ("line", "identifier", *own, *PROBLEM_COLUMNS)


class RowChecker:
    """What the row checks of both battery kinds share: the cells by header field, the identifier every row starts
    with, the messages both use, and the staging tuple of a refused or an accepted row (`OWN`: the kind's own
    staging columns, between the identifier and the problem arrays)."""

    OWN: tuple[str, ...] = ()

    def __init__(self, *, columns: dict[str, int]):
        self.columns = columns
        self.width = max(columns.values()) + 1
        self.msg_required = _("This column is required.")
        self.msg_future = _("The date is in the future.")
        self.msg_too_long = _("Longer than %(limit)d characters.")
        self.refused_values = (None,) * len(self.OWN)
        self.no_problems = (None,) * len(PROBLEM_COLUMNS)

    def _cell(self, cells: list, field: str) -> str:
        index = self.columns.get(field)
        return str(cells[index]).strip() if index is not None else ""

    def _begin(self, cells: list) -> tuple[list, list[tuple[str, str, str]], str | None]:
        """The row padded to the header's width, its errors (the identifier's, if any) and its identifier."""
        if len(cells) < self.width:
            cells = cells + [""] * (self.width - len(cells))
        errors: list[tuple[str, str, str]] = []
        raw_identifier = self._cell(cells, "identifier")
        identifier, problem = _identifier(raw_identifier)
        if problem:
            errors.append(("identifier", raw_identifier, problem))
        return cells, errors, identifier

    def _refused(self, line: int, identifier: str | None, errors: list[tuple[str, str, str]]) -> tuple:
        """The staging tuple of a row with errors: its identifier (for duplicates) and its problems only."""
        return (line, identifier, *self.refused_values, *_columns(errors), None, None, None)

    def _accepted(self, line: int, identifier: str, values: tuple) -> tuple:
        """The staging tuple of a good row: its values in `OWN` order, no problems."""
        return (line, identifier, *values, *self.no_problems)


class BatteryRowChecker(RowChecker):
    """Turns (line, cells) into a battery staging tuple; built once per run (model codes read once)."""

    OWN = ("battery_model_id", "category", "status", "vin", "fitted_on", "vals")

    def __init__(self, *, job: ImportJob, columns: dict[str, int], partner_id: int | None):
        super().__init__(columns=columns)
        self.models = {
            code.strip().casefold(): (pk, category)
            for code, pk, category in BatteryModel.objects.values_list("code", "pk", "category")
        }
        # (attribute id, its JSON key with the separator, cell index); `check` pads the row to the header's width
        self.value_columns = [
            (field[len(VALUE_PREFIX) :], _json_string(field[len(VALUE_PREFIX) :]) + ": ", index)
            for field, index in columns.items()
            if field.startswith(VALUE_PREFIX)
        ]
        self.positions = {
            field: columns.get(field) for field in ("identifier", "model", "category", "status", "vin", "fitted_on")
        }
        self.categories = Choices(BatteryCategory)
        self.statuses = Choices(BatteryStatus)
        self.msg_model = _("There is no battery model with this code; add it first.")
        self.msg_category = _("Unknown category; use one of: %(values)s.") % {
            "values": ", ".join(BatteryCategory.values)
        }
        self.msg_mismatch = _("The battery's category must be its model's (%(category)s).")
        self.msg_status = _("Unknown status; use one of: %(values)s.") % {"values": ", ".join(BatteryStatus.values)}
        self.msg_date = _("Not a date; write it as YYYY-MM-DD (e.g. 2025-03-01).")
        self.msg_fitted = _("Enter the date the battery was fitted.")
        self.msg_vin = _("A VIN has 17 characters.")
        self.tomorrow = (timezone.now().date() + datetime.timedelta(days=1)).isoformat()

    def check(self, line: int, cells: list) -> tuple:
        # The same checks as `_cell` / `_begin` would make, with the column positions looked up once per run
        # (this runs once per row of a file of up to a million: per-row Python work is the read phase's time).
        if len(cells) < self.width:
            cells = cells + [""] * (self.width - len(cells))
        position = self.positions
        errors: list[tuple[str, str, str]] = []
        raw_identifier = str(cells[position["identifier"]]).strip()
        identifier, problem = _identifier(raw_identifier)
        if problem:
            errors.append(("identifier", raw_identifier, problem))
        raw_model = str(cells[position["model"]]).strip()
        model = self.models.get(raw_model.casefold())
        if model is None:
            errors.append(("model", raw_model, self.msg_model if raw_model else self.msg_required))
        index = position["category"]
        raw_category = str(cells[index]).strip() if index is not None else ""
        category = model[1] if model else None
        if raw_category:
            given = self.categories.get(raw_category)
            if given is None:
                errors.append(("category", raw_category, self.msg_category))
            elif model is not None and given != model[1]:
                errors.append(("category", raw_category, self.msg_mismatch % {"category": model[1]}))
        index = position["status"]
        raw_status = str(cells[index]).strip() if index is not None else ""
        status = None
        if raw_status:
            status = self.statuses.get(raw_status)
            if status is None:
                errors.append(("status", raw_status, self.msg_status))
        index = position["vin"]
        raw_vin = str(cells[index]).strip().upper() if index is not None else ""
        vin = raw_vin or None
        if vin is not None and len(vin) != 17:
            errors.append(("vin", raw_vin, self.msg_vin))
        index = position["fitted_on"]
        raw_fitted = str(cells[index]).strip() if index is not None else ""
        fitted_on = None
        if raw_fitted:
            parsed = parse_date(raw_fitted)
            fitted_on = parsed.isoformat() if parsed else None
            if fitted_on is None:
                errors.append(("fitted_on", raw_fitted, self.msg_date))
            elif fitted_on > self.tomorrow:
                errors.append(("fitted_on", raw_fitted, self.msg_future))
        elif vin is not None:
            errors.append(("fitted_on", "", self.msg_fitted))
        # The values as a JSON object, written directly (keys encoded once per run; the C string encoder of
        # `json` for each value, as json.dumps(ensure_ascii=False) writes them).
        members = []
        for code, key, index in self.value_columns:
            value = str(cells[index]).strip()
            if not value:
                continue
            if len(value) > MAX_VALUE_CHARS:
                errors.append((code, value, self.msg_too_long % {"limit": MAX_VALUE_CHARS}))
            members.append(key + _json_string(value))
        if errors:
            return self._refused(line, identifier, errors)
        return self._accepted(
            line, identifier, (model[0], category, status, vin, fitted_on, "{" + ", ".join(members) + "}")
        )


BATTERY_COLUMNS = _stage_columns(*BatteryRowChecker.OWN)


def _columns(problems: list[tuple[str, str, str]]) -> tuple[list, list, list]:
    return (
        [column for column, _value, _reason in problems],
        [value[:200] for _column, value, _reason in problems],
        [reason for _column, _value, reason in problems],
    )


def _partner_id_sql() -> sql.Composable:
    """The current partner's id, from its schema (tasks and the bench run with a schema, not always a tenant)."""
    return sql.SQL("(SELECT id FROM public.{} WHERE schema_name = {})").format(
        sql.Identifier(Partner._meta.db_table), sql.Literal(connection.schema_name)
    )


def _reference_check(cursor, stage: Stage, *, key: str, table: str, into: str, reason: str) -> None:
    """The SQL check both kinds share: a row's `key` (a VIN, a battery identifier) names a row of the partner's own
    `table` (same column name there), whose id goes into the staging column `into`; a key that names none refuses
    the row with `reason` (an empty key is left to the row's own checks)."""
    key_column, into_column = sql.Identifier("s", key), sql.Identifier("s", into)
    cursor.execute(
        sql.SQL("UPDATE {stage} s SET {into} = t.id FROM {table} t WHERE {table_key} = {key}").format(
            stage=stage.ident,
            into=sql.Identifier(into),
            table=sql.Identifier(table),
            table_key=sql.Identifier("t", key),
            key=key_column,
        )
    )
    stage_error_add(
        cursor,
        stage,
        column=key,
        value=key_column,
        reason=reason,
        where=sql.SQL("{key} IS NOT NULL AND {into} IS NULL AND s.err_reason IS NULL").format(
            key=key_column, into=into_column
        ),
    )


def _battery_sql_checks(cursor, stage: Stage, job: ImportJob) -> None:
    """A VIN of the partner's own vehicles; an identifier no other partner's passport holds; a status the
    battery may move to; a category the battery already has."""
    names = {
        "stage": stage.ident,
        "battery": sql.Identifier(BATTERY),
        "index": sql.Identifier("public", PassportIndex._meta.db_table),
    }
    _reference_check(
        cursor, stage, key="vin", table=VEHICLE, into="vehicle_id", reason=_("No vehicle of yours has this VIN.")
    )
    # Which partner's passport index entry holds each identifier, kept for the upsert: its insert of the new
    # entries then needs no conflict handling (`ON CONFLICT` probes the unique index once more per row).
    cursor.execute(
        sql.SQL(
            "UPDATE {stage} s SET indexed_by = p.partner_id FROM {index} p WHERE p.identifier = s.identifier"
        ).format(**names)
    )
    stage_error_add(
        cursor,
        stage,
        column="identifier",
        value=sql.SQL("s.identifier"),
        reason=_("This identifier is already used by another battery passport."),
        where=sql.SQL("s.indexed_by IS NOT NULL AND s.indexed_by <> {partner}").format(partner=_partner_id_sql()),
    )
    allowed = [(old, new) for old, targets in STATUS_TRANSITIONS.items() for new in targets]
    stage_error_add(
        cursor,
        stage,
        column="status",
        value=sql.SQL("s.status"),
        reason=_("The battery's status cannot change this way (original → repurposed, remanufactured or waste)."),
        where=sql.SQL(
            "s.err_reason IS NULL AND s.status IS NOT NULL AND EXISTS (SELECT 1 FROM {battery} b "
            "WHERE b.identifier = s.identifier AND b.status <> s.status AND (b.status, s.status) NOT IN ({pairs}))"
        ).format(
            **names,
            pairs=sql.SQL(", ").join(
                sql.SQL("({}, {})").format(sql.Literal(str(old)), sql.Literal(str(new))) for old, new in allowed
            ),
        ),
    )
    stage_error_add(
        cursor,
        stage,
        column="model",
        value=sql.SQL("s.category"),
        reason=_("The battery exists with another category: its model must be of that category."),
        where=sql.SQL(
            "s.err_reason IS NULL AND EXISTS (SELECT 1 FROM {battery} b "
            "WHERE b.identifier = s.identifier AND b.category <> s.category)"
        ).format(**names),
    )


# SQL: a jsonb value is there and not empty (as the selectors' `_present`).
_EMPTY_JSON = "('null'::jsonb, '\"\"'::jsonb, '[]'::jsonb, '{}'::jsonb)"


def _present(value) -> bool:
    return value not in (None, "", [], {})


def model_needs() -> sql.Composable:
    """SQL rows (model_id, codes): per battery model, the mandatory attributes of its category its own values lack,
    which each battery must then hold. Read once per run in Python (a handful of models), so the per-row test
    looks only into the battery's small values, never into the model's large document again and again."""
    codes = required_codes()
    rows = [
        sql.SQL("({}::bigint, {}::text[])").format(
            sql.Literal(pk), sql.Literal([code for code in codes.get(category, []) if not _present(values.get(code))])
        )
        for pk, category, values in BatteryModel.objects.values_list("pk", "category", "values")
    ]
    if not rows:
        return sql.SQL("(SELECT NULL::bigint AS model_id, NULL::text[] AS codes WHERE false)")
    return sql.SQL("(VALUES {}) AS need(model_id, codes)").format(sql.SQL(", ").join(rows))


def complete_sql(*, battery_values: str) -> sql.Composable:
    """SQL: the passport holds every mandatory static attribute of its category (`passport_missing` is empty):
    each code its model lacks (`need.codes`, from `model_needs`) is present in the battery's values."""
    return sql.SQL(
        "NOT EXISTS (SELECT 1 FROM unnest(need.codes) AS c(code) "
        "WHERE NOT coalesce(({battery} -> c.code) NOT IN {empty}, false))"
    ).format(battery=sql.SQL(battery_values), empty=sql.SQL(_EMPTY_JSON))


_BATTERY_NEW = sql.SQL(
    's.battery_model_id, coalesce(s.status, b.status), b."values" || s.vals, coalesce(s.vehicle_id, b.vehicle_id)'
)
_BATTERY_OLD = sql.SQL('b.battery_model_id, b.status, b."values", b.vehicle_id')


def _battery_counts(cursor, stage: Stage) -> tuple[int, int, int]:
    cursor.execute(
        sql.SQL(
            """SELECT count(*) FILTER (WHERE b.id IS NULL),
                      count(*) FILTER (WHERE b.id IS NOT NULL AND ({old}) IS DISTINCT FROM ({new})),
                      count(*) FILTER (WHERE b.id IS NOT NULL AND ({old}) IS NOT DISTINCT FROM ({new}))
               FROM {stage} s LEFT JOIN {battery} b ON b.identifier = s.identifier
               WHERE s.err_reason IS NULL"""
        ).format(stage=stage.ident, battery=sql.Identifier(BATTERY), old=_BATTERY_OLD, new=_BATTERY_NEW)
    )
    return cursor.fetchone()


# A first import into an empty battery table inserts its rows without the table's plain indexes and builds them
# afterwards, in the same transaction: one sorted build per index instead of an index entry per row (about half the
# insert's time at a million rows). Only from this many new batteries on: the build holds an ACCESS EXCLUSIVE lock
# on the (empty) table until the import commits, which a small import need not take.
BULK_BUILD_ROWS = 10_000


@dataclass
class _SetAside:
    """Plain indexes of a table dropped before a bulk insert (their definitions, to build them again), and the
    deferred foreign keys whose pending checks must run before an index can be built on the table."""

    table: str
    definitions: list[str]
    foreign_keys: list[str]


def _indexes_set_aside(cursor, table: str) -> _SetAside:
    """Drop `table`'s indexes that back no constraint (not the primary key, not a unique constraint: those stay,
    and with them every uniqueness check); `_indexes_build` builds them again, with the same definitions."""
    qualified = sql.Identifier(connection.schema_name, table).as_string(cursor.connection)
    cursor.execute(
        """SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
           WHERE i.indrelid = %s::regclass AND NOT i.indisprimary AND NOT i.indisunique
             AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
           ORDER BY c.relname""",
        [qualified],
    )
    found = cursor.fetchall()
    for name, _definition in found:
        cursor.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(connection.schema_name, name)))
    cursor.execute(
        """SELECT conname FROM pg_constraint
           WHERE conrelid = %s::regclass AND contype = 'f' AND condeferrable AND condeferred""",
        [qualified],
    )
    return _SetAside(table, [definition for _name, definition in found], [row[0] for row in cursor.fetchall()])


def _indexes_build(cursor, aside: _SetAside) -> None:
    """Build the indexes `_indexes_set_aside` dropped. PostgreSQL builds no index on a table with pending trigger
    events, so the table's deferred foreign-key checks run first (as they would at commit), then are deferred
    again."""
    keys = sql.SQL(", ").join(sql.Identifier(connection.schema_name, name) for name in aside.foreign_keys)
    if aside.foreign_keys:
        cursor.execute(sql.SQL("SET CONSTRAINTS {} IMMEDIATE").format(keys))
    for definition in aside.definitions:
        cursor.execute(definition)
    if aside.foreign_keys:
        cursor.execute(sql.SQL("SET CONSTRAINTS {} DEFERRED").format(keys))


def _bulk_build(cursor, job: ImportJob, tables: tuple[str, ...]) -> list[_SetAside]:
    """For a large first import: the tables among `tables` that are empty, locked and with their plain indexes set
    aside (to build after the insert); none on Citus (distributed indexes are the coordinator's business)."""
    if job.rows_valid < BULK_BUILD_ROWS or citus_present():
        return []
    aside = []
    for table in tables:
        cursor.execute(
            sql.SQL("SELECT NOT EXISTS (SELECT 1 FROM {})").format(sql.Identifier(connection.schema_name, table))
        )
        if not cursor.fetchone()[0]:
            continue
        cursor.execute(sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(sql.Identifier(table)))
        cursor.execute(  # empty still, now that nobody else can write (or read) it
            sql.SQL("SELECT NOT EXISTS (SELECT 1 FROM {})").format(sql.Identifier(connection.schema_name, table))
        )
        if cursor.fetchone()[0]:
            aside.append(_indexes_set_aside(cursor, table))
    return aside


def _battery_upsert(job: ImportJob, stage: Stage) -> tuple[int, int, int]:
    """Update changed batteries (values merged, an empty cell keeps the current value), close and open fitments
    when the VIN changes, insert new batteries with their fitments and passport index entries; history rows for
    every battery written; `complete` computed in the same statements."""
    note = (_("Import of %(file)s") % {"file": job.original_name})[:100]
    columns = history_columns()
    names = {
        "stage": stage.ident,
        "battery": sql.Identifier(BATTERY),
        "history": sql.Identifier(HISTORY),
        "fitment": sql.Identifier(FITMENT),
        "model": sql.Identifier(MODEL),
        "index": sql.Identifier("public", PassportIndex._meta.db_table),
        "batch": sql.Identifier(BatteryImportBatch._meta.db_table),
        "cols": sql.SQL(", ").join(map(sql.Identifier, columns)),
        "b_cols": sql.SQL(", ").join(sql.Identifier("b", column) for column in columns),
        "c_cols": sql.SQL(", ").join(sql.Identifier("c", column) for column in columns),
        "partner": _partner_id_sql(),
        "need": model_needs(),
    }
    params = {"user": job.created_by_id, "note": note}
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL lock_timeout = '60s'")
        cursor.execute(sql.SQL("LOCK TABLE {battery} IN SHARE ROW EXCLUSIVE MODE").format(**names))
        with timed(job, "upsert: match existing batteries"):
            cursor.execute(
                sql.SQL(
                    """UPDATE {stage} s SET battery_id = b.id, changed = ({old}) IS DISTINCT FROM ({new})
                       FROM {battery} b WHERE b.identifier = s.identifier AND s.err_reason IS NULL"""
                ).format(**names, old=_BATTERY_OLD, new=_BATTERY_NEW)
            )
        matched = cursor.rowcount
        updated = 0
        if matched:  # none on a first import: nothing to end, update or record as changed
            with timed(job, "upsert: fitments of changed batteries"):
                # A battery moved to another vehicle: its open fitment ends when the new one starts.
                cursor.execute(
                    sql.SQL(
                        """UPDATE {fitment} f SET removed_on = greatest(f.fitted_on, s.fitted_on)
                           FROM {stage} s
                           WHERE s.changed AND s.vehicle_id IS NOT NULL AND f.battery_id = s.battery_id
                             AND f.removed_on IS NULL AND f.vehicle_id IS DISTINCT FROM s.vehicle_id"""
                    ).format(**names)
                )
                cursor.execute(
                    sql.SQL(
                        """INSERT INTO {fitment} (battery_id, vehicle_id, vin, fitted_on, created_at)
                           SELECT s.battery_id, s.vehicle_id, s.vin, s.fitted_on, now()
                           FROM {stage} s
                           WHERE s.changed AND s.vehicle_id IS NOT NULL
                             AND NOT EXISTS (SELECT 1 FROM {fitment} f WHERE f.battery_id = s.battery_id
                                             AND f.removed_on IS NULL)"""
                    ).format(**names)
                )
            with timed(job, "upsert: update changed batteries"):
                # An imported battery changing for the first time: its `+` history row first (creation.py).
                creations_write(
                    cursor, sql.SQL("b.id IN (SELECT s.battery_id FROM {stage} s WHERE s.changed)").format(**names)
                )
                complete = complete_sql(battery_values='(b."values" || s.vals)')
                cursor.execute(
                    sql.SQL(
                        """WITH changed AS (
                               UPDATE {battery} b SET battery_model_id = s.battery_model_id,
                                      status = coalesce(s.status, b.status), "values" = b."values" || s.vals,
                                      vehicle_id = coalesce(s.vehicle_id, b.vehicle_id), complete = {complete},
                                      updated_at = now()
                               FROM {stage} s JOIN {need} ON need.model_id = s.battery_model_id
                               WHERE b.id = s.battery_id AND s.changed
                               RETURNING b.*
                           ), history AS (
                               INSERT INTO {history} ({cols}, history_date, history_type, history_user_id,
                                                      history_change_reason)
                               SELECT {c_cols}, now(), '~', %(user)s, %(note)s FROM changed c
                           )
                           SELECT count(*) FROM changed"""
                    ).format(**names, complete=complete),
                    params,
                )
                updated = cursor.fetchone()[0]
        with timed(job, "upsert: insert new batteries, fitments, history, passport index"):
            # An entry of the partner's own whose battery is gone (none is left behind by the services) names the
            # new battery instead: it is removed first. The SQL checks refused the identifiers another partner holds;
            # one that another partner's import adds meanwhile breaks the unique index and the run fails whole.
            cursor.execute(
                sql.SQL(
                    """DELETE FROM {index} p USING {stage} s
                       WHERE s.indexed_by = {partner} AND s.battery_id IS NULL AND s.err_reason IS NULL
                         AND p.identifier = s.identifier AND p.partner_id = {partner}"""
                ).format(**names)
            )
            aside = _bulk_build(cursor, job, (BATTERY,)) if not matched else []
            complete = complete_sql(battery_values="s.vals")
            # The run's creation is one BatteryImportBatch row (its ids, time, person, reason): the `+` history
            # row of a battery created without a vehicle is written when it first changes (creation.py); those
            # fitted to a vehicle get theirs below, with their fitments.
            cursor.execute(
                sql.SQL(
                    """WITH created AS (
                           INSERT INTO {battery} (identifier, category, battery_model_id, vehicle_id, status, "values",
                                                  complete, created_at, updated_at)
                           SELECT s.identifier, s.category, s.battery_model_id, s.vehicle_id,
                                  coalesce(s.status, %(original)s), s.vals, {complete}, now(), now()
                           FROM {stage} s JOIN {need} ON need.model_id = s.battery_model_id
                           WHERE s.err_reason IS NULL AND s.battery_id IS NULL
                           RETURNING id, identifier
                       ), batch AS (
                           INSERT INTO {batch} (first_id, last_id, history_date, history_user_id,
                                                history_change_reason)
                           SELECT min(c.id), max(c.id), now(), %(user)s, %(note)s FROM created c HAVING count(*) > 0
                       ), indexed AS (
                           INSERT INTO {index} (identifier, partner_id, battery_id, created_at)
                           SELECT c.identifier, {partner}, c.id, now() FROM created c
                       )
                       SELECT count(*) FROM created"""
                ).format(**names, complete=complete),
                {**params, "original": BatteryStatus.ORIGINAL},
            )
            created = cursor.fetchone()[0]
        if aside:
            with timed(job, "upsert: build the indexes set aside"):
                for table in aside:
                    _indexes_build(cursor, table)
        with timed(job, "upsert: insert new batteries, fitments, history, passport index"):
            # Their fitments and the `+` history rows of the fitted ones (one join), found through the identifier's
            # unique index (a join against the CTE would be planned blind, as a nested loop over the whole file).
            cursor.execute(
                sql.SQL(
                    """WITH fitted AS (
                           SELECT b.*, s.vin AS fitted_vin, s.fitted_on AS fitted_on
                           FROM {stage} s JOIN {battery} b ON b.identifier = s.identifier
                           WHERE s.err_reason IS NULL AND s.battery_id IS NULL AND s.vehicle_id IS NOT NULL
                       ), history AS (
                           INSERT INTO {history} ({cols}, history_date, history_type, history_user_id,
                                                  history_change_reason)
                           SELECT {b_cols}, now(), '+', %(user)s, %(note)s FROM fitted b
                       )
                       INSERT INTO {fitment} (battery_id, vehicle_id, vin, fitted_on, created_at)
                       SELECT b.id, b.vehicle_id, b.fitted_vin, b.fitted_on, now() FROM fitted b"""
                ).format(**names),
                params,
            )
    unchanged = max(0, job.rows_valid - created - updated)
    imported_event(job, change="imported", created=created, updated=updated, unchanged=unchanged)
    return created, updated, unchanged


def imported_event(job: ImportJob, *, change: str, created: int, updated: int, unchanged: int) -> None:
    """One `battery.passport_changed` event for a whole run that wrote passports, not one per row (a file may hold
    a million: the receiver follows `api_url` to the job, as a battery model's change sends one event for all its
    batteries). Inside the run's transaction: the delivery is queued when the rows commit, and not if they roll
    back. Nothing is sent when the run changed nothing."""
    partner = Partner.objects.filter(schema_name=connection.schema_name).first()
    if partner is None or not created + updated:
        return
    webhook_event_emit(
        partner=partner,
        event=WebhookEvent.PASSPORT_CHANGED,
        data={
            "change": change,
            "import_job": str(job.pk),
            "kind": job.kind,
            "file": job.original_name,
            "created": created,
            "updated": updated,
            "unchanged": unchanged,
            "rejected": job.rows_rejected,
            **import_job_links(job, partner=partner),
        },
    )


# Readings --------------------------------------------------------------------------------------------------------


def parse_moment(raw: str) -> datetime.datetime | None:
    """An ISO date-time (with or without zone: UTC when none) or a date (midnight UTC); None if neither."""
    text = raw.strip()
    if len(text) > 10:
        try:
            moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)
    day = parse_date(text)
    return datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC) if day else None


def parse_number(raw: str) -> Decimal | None:
    """A number with a decimal point or a decimal comma (`97,5`); None if not one."""
    text = raw.strip().replace(" ", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


class ReadingRowChecker(RowChecker):
    """Turns (line, cells) into a reading staging tuple."""

    OWN = (
        "measured_at",
        "state_of_health",
        "capacity_fade",
        "cycles",
        "energy_throughput",
        "negative_event",
        "source",
    )

    LIMITS = {  # field → (lowest, highest, digits before the point)
        "state_of_health": (Decimal(0), Decimal(100), 3),
        "capacity_fade": (Decimal(0), Decimal(100), 3),
        "energy_throughput": (Decimal(0), Decimal("99999999999.999"), 11),
    }

    def __init__(self, *, job: ImportJob, columns: dict[str, int], partner_id: int | None):
        super().__init__(columns=columns)
        self.sources = Choices(ReadingSource)
        self.latest = timezone.now() + datetime.timedelta(days=1)
        self.msg_moment = _("Not a time; write it as YYYY-MM-DD or YYYY-MM-DDTHH:MM (e.g. 2026-03-01T08:30).")
        self.msg_number = _("Not a number.")
        self.msg_range = _("Must be between %(low)s and %(high)s.")
        self.msg_cycles = _("Not a whole number of cycles.")
        self.msg_source = _("Unknown source; use one of: %(values)s.") % {"values": ", ".join(ReadingSource.values)}

    def check(self, line: int, cells: list) -> tuple:
        cells, errors, identifier = self._begin(cells)
        raw_moment = self._cell(cells, "measured_at")
        moment = parse_moment(raw_moment) if raw_moment else None
        if moment is None:
            errors.append(("measured_at", raw_moment, self.msg_moment if raw_moment else self.msg_required))
        elif moment > self.latest:
            errors.append(("measured_at", raw_moment, self.msg_future))
        numbers = {}
        for field, (low, high, _digits) in self.LIMITS.items():
            raw = self._cell(cells, field)
            if not raw:
                numbers[field] = None
                continue
            number = parse_number(raw)
            if number is None:
                errors.append((field, raw, self.msg_number))
            elif not low <= number <= high:
                errors.append((field, raw, self.msg_range % {"low": low, "high": high}))
            numbers[field] = number
        raw_cycles = self._cell(cells, "cycles")
        cycles = None
        if raw_cycles:
            number = parse_number(raw_cycles)
            if number is None or number != number.to_integral_value() or not 0 <= number <= 2_147_483_647:
                errors.append(("cycles", raw_cycles, self.msg_cycles))
            else:
                cycles = int(number)
        event = self._cell(cells, "negative_event")
        if len(event) > MAX_EVENT_CHARS:
            errors.append(("negative_event", event, self.msg_too_long % {"limit": MAX_EVENT_CHARS}))
        raw_source = self._cell(cells, "source")
        source = ReadingSource.IMPORT
        if raw_source:
            source = self.sources.get(raw_source)
            if source is None:
                errors.append(("source", raw_source, self.msg_source))
        if errors:
            return self._refused(line, identifier, errors)
        fields = (numbers["state_of_health"], numbers["capacity_fade"], cycles, numbers["energy_throughput"])
        return self._accepted(line, identifier, (moment, *fields, event, str(source)))


READING_COLUMNS = _stage_columns(*ReadingRowChecker.OWN)


def _reading_sql_checks(cursor, stage: Stage, job: ImportJob) -> None:
    """The battery of every reading, by identifier, among the partner's own batteries."""
    _reference_check(
        cursor,
        stage,
        key="identifier",
        table=BATTERY,
        into="battery_id",
        reason=_("No battery of yours has this identifier; import the batteries first."),
    )


_READING_NEW = sql.SQL("s.state_of_health, s.capacity_fade, s.cycles, s.energy_throughput, s.negative_event")
_READING_OLD = sql.SQL("r.state_of_health, r.capacity_fade, r.cycles, r.energy_throughput, r.negative_event")
_READING_MATCH = sql.SQL("r.battery_id = s.battery_id AND r.measured_at = s.measured_at AND r.source = s.source")


def _reading_counts(cursor, stage: Stage) -> tuple[int, int, int]:
    cursor.execute(
        sql.SQL(
            """SELECT count(*) FILTER (WHERE r.id IS NULL),
                      count(*) FILTER (WHERE r.id IS NOT NULL AND ({old}) IS DISTINCT FROM ({new})),
                      count(*) FILTER (WHERE r.id IS NOT NULL AND ({old}) IS NOT DISTINCT FROM ({new}))
               FROM {stage} s LEFT JOIN {reading} r ON {match}
               WHERE s.err_reason IS NULL"""
        ).format(
            stage=stage.ident, reading=sql.Identifier(READING), old=_READING_OLD, new=_READING_NEW, match=_READING_MATCH
        )
    )
    return cursor.fetchone()


def _reading_upsert(job: ImportJob, stage: Stage) -> tuple[int, int, int]:
    """Update readings whose values differ, insert the new ones (one per battery, time and source)."""
    names = {"stage": stage.ident, "reading": sql.Identifier(READING), "match": _READING_MATCH}
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL lock_timeout = '60s'")
        cursor.execute(sql.SQL("LOCK TABLE {reading} IN SHARE ROW EXCLUSIVE MODE").format(**names))
        with timed(job, "upsert: match existing readings"):
            cursor.execute(
                sql.SQL(
                    """UPDATE {stage} s SET reading_id = r.id, changed = ({old}) IS DISTINCT FROM ({new})
                       FROM {reading} r WHERE {match} AND s.err_reason IS NULL"""
                ).format(**names, old=_READING_OLD, new=_READING_NEW)
            )
        with timed(job, "upsert: update changed readings"):
            cursor.execute(
                sql.SQL(
                    """UPDATE {reading} r SET state_of_health = s.state_of_health, capacity_fade = s.capacity_fade,
                              cycles = s.cycles, energy_throughput = s.energy_throughput,
                              negative_event = s.negative_event
                       FROM {stage} s WHERE r.id = s.reading_id AND s.changed"""
                ).format(**names)
            )
            updated = cursor.rowcount
        with timed(job, "upsert: insert new readings"):
            cursor.execute(
                sql.SQL(
                    """INSERT INTO {reading} (battery_id, measured_at, state_of_health, capacity_fade, cycles,
                                             energy_throughput, negative_event, source, created_at)
                       SELECT s.battery_id, s.measured_at, s.state_of_health, s.capacity_fade, s.cycles,
                              s.energy_throughput, coalesce(s.negative_event, ''), s.source, now()
                       FROM {stage} s WHERE s.err_reason IS NULL AND s.reading_id IS NULL"""
                ).format(**names)
            )
            created = cursor.rowcount
    unchanged = max(0, job.rows_valid - created - updated)
    imported_event(job, change="readings_imported", created=created, updated=updated, unchanged=unchanged)
    return created, updated, unchanged


def _template_url(kind: str):
    def url(file_format: str) -> str:
        return reverse(f"battery_imports:template_{file_format}", kwargs={"kind": kind})

    return url


PAGE = ImportPage(
    title=gettext_lazy("Import batteries"),
    list_title=gettext_lazy("Battery imports"),
    list_url="battery_imports:list",
    create_url="battery_imports:create",
    rules=gettext_lazy(
        "A battery already in your registry is updated when its data differ and left alone when they are the same; "
        "an empty cell keeps the current value. A reading is one per battery, time and source: importing it again "
        "updates it."
    ),
    market="EU",  # the passport rule is the EU's; no VIN rule depends on it
)


def register() -> None:
    """Make the two kinds known to the import pipeline (from BatteriesConfig.ready())."""
    import_target_register(
        ImportTarget(
            kind=BATTERIES,
            label=gettext_lazy("Batteries"),
            empty_message=gettext_lazy("The file has a header row but no batteries."),
            stage_ddl="""identifier varchar(100), battery_model_id bigint, category text, status text,
                         vin varchar(17), fitted_on date, vals jsonb, vehicle_id bigint, battery_id bigint,
                         changed boolean, indexed_by bigint""",
            stage_columns=BATTERY_COLUMNS,
            duplicate_key="identifier",
            duplicate_column="identifier",
            duplicate_message=gettext_lazy("The identifier is already on line %(line)s of this file."),
            match_header=BATTERY_HEADERS.match,
            checker=BatteryRowChecker,
            counts=_battery_counts,
            upsert=_battery_upsert,
            template_header=battery_template_header,
            sql_checks=_battery_sql_checks,
            analyze=(BATTERY, HISTORY, FITMENT),
            api_detail_url="v1:battery-import-detail",
            page=PAGE,
            job_label=gettext_lazy("Battery import"),
            columns_help=(
                (
                    gettext_lazy("Batteries"),
                    gettext_lazy(
                        "identifier and battery model code (required); category, status, VIN and fitting date; and "
                        "any passport attribute by its id (e.g. battery_mass), kept with the battery."
                    ),
                ),
            ),
            template_url=_template_url(BATTERIES),
            template_name="batteries-template",
        )
    )
    import_target_register(
        ImportTarget(
            kind=READINGS,
            label=gettext_lazy("Battery readings"),
            empty_message=gettext_lazy("The file has a header row but no readings."),
            stage_ddl="""identifier varchar(100), measured_at timestamptz, state_of_health numeric(5, 2),
                         capacity_fade numeric(5, 2), cycles bigint, energy_throughput numeric(14, 3),
                         negative_event text, source text, battery_id bigint, reading_id bigint, changed boolean""",
            stage_columns=READING_COLUMNS,
            duplicate_key="identifier || ' ' || measured_at::text || ' ' || source",
            duplicate_column="measured_at",
            duplicate_message=gettext_lazy(
                "The same battery, time and source are already on line %(line)s of this file."
            ),
            match_header=READING_HEADERS.match,
            checker=ReadingRowChecker,
            counts=_reading_counts,
            upsert=_reading_upsert,
            template_header=READING_HEADERS.template_header,
            sql_checks=_reading_sql_checks,
            analyze=(READING,),
            api_detail_url="v1:battery-import-detail",
            page=PAGE,
            job_label=gettext_lazy("Battery reading import"),
            columns_help=(
                (
                    gettext_lazy("Battery readings"),
                    gettext_lazy(
                        "identifier and time of measurement (required); state of health, capacity fade, cycles, "
                        "energy throughput, negative event, source."
                    ),
                ),
            ),
            template_url=_template_url(READINGS),
            template_name="battery-readings-template",
        )
    )
