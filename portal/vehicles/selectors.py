"""Reads of the vehicle registry (current partner schema)."""

import functools
import json

from django.contrib.postgres.aggregates import JSONBAgg
from django.db import connection, connections, router
from django.db.models import JSONField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, JSONObject
from django.http import Http404

from .models import Vehicle, VehicleModel, VehicleStatusChange


def vehicle_model_list() -> QuerySet[VehicleModel]:
    """The partner's vehicle models, by name."""
    return VehicleModel.objects.order_by("name")


def vehicle_model_get(*, pk: int) -> VehicleModel:
    """One vehicle model, or 404."""
    try:
        return VehicleModel.objects.get(pk=pk)
    except (VehicleModel.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


def vehicle_list() -> QuerySet[Vehicle]:
    """The partner's vehicles with their models (one query per page, whatever the page size)."""
    return Vehicle.objects.select_related("model")


# The columns of an API list row: read with .values() (no model instances), 100 to 1,000 rows a page.
VEHICLE_ROW_FIELDS = (
    "vin",
    "model_id",
    "model__name",
    "model__category",
    "production_date",
    "plant",
    "status",
    "registration_country",
    "registration_region",
    "plate",
    "registration_date",
    "rxswin",
    "created_at",
    "updated_at",
)


def vehicle_rows(*, queryset: QuerySet[Vehicle]) -> QuerySet:
    """The vehicles of `queryset` as plain rows of VEHICLE_ROW_FIELDS (one query, no model instances)."""
    return queryset.values(*VEHICLE_ROW_FIELDS)


def vehicle_count_estimate(*, exact_below: int = 10_000) -> tuple[int | None, bool]:
    """(how many vehicles, exact?) without COUNT(*) over millions of rows: the planner's estimate when large."""
    with connection.cursor() as cursor:
        # regclass resolves through the search path, i.e. the current partner's schema.
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = 'vehicles_vehicle'::regclass")
        row = cursor.fetchone()
    estimate = row[0] if row else -1
    if estimate >= exact_below:
        return estimate, False
    # Small, or never analysed (-1): count, but never more than exact_below + 1 rows.
    counted = Vehicle.objects.all()[: exact_below + 1].count()
    return (counted, True) if counted <= exact_below else (None, False)


def vehicle_get(*, vin: str, with_history: bool = False) -> Vehicle:
    """One vehicle by VIN (case-insensitive: VINs are stored upper-case), or 404; optionally with its history."""
    vin = (vin or "").strip().upper()
    if not vin.isascii() or not vin.isalnum() or len(vin) > 17:
        raise Http404  # not a VIN at all: no query (a NUL byte would not even reach PostgreSQL)
    vehicles = vehicle_list()
    if with_history:
        vehicles = vehicles.annotate(history_rows=_history_rows())
    try:
        return vehicles.get(vin=vin)
    except Vehicle.DoesNotExist as error:
        raise Http404 from error


# Stands for the VIN while the detail query is compiled (never a VIN: VINs are alphanumeric).
_VIN = "\x00vin"
DETAIL_COLUMNS = (*VEHICLE_ROW_FIELDS, "history_rows")


@functools.cache
def _detail_sql(vendor: str) -> tuple[str, tuple]:
    """The detail query (vehicle_detail_row) as the ORM writes it, compiled once per process: compiling it per
    call costs more than running it. The SQL names no schema, so every partner's search path runs the same text."""
    query = vehicle_list().annotate(history_rows=_history_rows()).filter(vin=_VIN).order_by().values(*DETAIL_COLUMNS)
    return query.query.sql_with_params()


def vehicle_detail_row(*, vin: str) -> dict:
    """One vehicle by VIN as a plain row (VEHICLE_ROW_FIELDS and `history_rows`, its history as a list of dicts,
    oldest first, as vehicle_get(with_history=True) annotates it), or 404. One query, as vehicle_get's, on the
    connection the router reads vehicles from; the same rows as `.values()` would give (tests pin it)."""
    vin = (vin or "").strip().upper()
    if not vin.isascii() or not vin.isalnum() or len(vin) > 17:
        raise Http404
    db = connections[router.db_for_read(Vehicle)]
    sql, params = _detail_sql(db.vendor)
    with db.cursor() as cursor:
        cursor.execute(sql, tuple(vin if param == _VIN else param for param in params))
        row = cursor.fetchone()
    if row is None:
        raise Http404
    found = dict(zip(DETAIL_COLUMNS, row, strict=True))
    history = found["history_rows"]
    found["history_rows"] = json.loads(history) if isinstance(history, str | bytes) else history
    return found


def _history_rows() -> Coalesce:
    """The vehicle's history as a JSON list, oldest first, built in the vehicle's own query (one round trip, not a
    prefetch): `changed_at` comes back as PostgreSQL's ISO text, `changed_by` as the e-mail or null."""
    rows = (
        VehicleStatusChange.objects.filter(vehicle=OuterRef("pk"))
        .order_by()
        .values("vehicle")
        .annotate(
            rows=JSONBAgg(
                JSONObject(
                    from_status="from_status",
                    to_status="to_status",
                    changed_by="changed_by__email",
                    changed_at="changed_at",
                    source="source",
                    note="note",
                ),
                order_by=("changed_at", "id"),
            )
        )
        .values("rows")
    )
    return Coalesce(Subquery(rows, output_field=JSONField()), Value([], output_field=JSONField()))


def vehicle_history(*, vehicle: Vehicle) -> QuerySet[VehicleStatusChange]:
    """The vehicle's history, oldest first, with who made each change and the import run that made it."""
    return vehicle.status_changes.select_related("changed_by", "import_job").order_by("changed_at", "id")


EXPORT_COLUMNS = [
    ("vin", "VIN"),
    ("model__name", "model"),
    ("model__category", "category"),
    ("production_date", "production_date"),
    ("plant", "plant"),
    ("status", "status"),
    ("registration_country", "registration_country"),
    ("registration_region", "registration_region"),
    ("plate", "plate"),
    ("registration_date", "registration_date"),
    ("rxswin", "rxswin"),
]


def vehicle_export_rows(*, queryset: QuerySet[Vehicle], chunk_size: int = 2000):
    """Tuples of the export columns, streamed from a server-side cursor (memory does not grow with rows)."""
    return queryset.values_list(*(field for field, _header in EXPORT_COLUMNS)).iterator(chunk_size=chunk_size)
