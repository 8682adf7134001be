"""The registry's own import target: vehicles (VIN rules, model, dates, status, registration), upserted by VIN."""

from django.db import connection
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from psycopg import sql

from ..choices import ChangeSource, VehicleStatus
from ..models import ImportJob, Vehicle, VehicleModel, VehicleStatusChange
from ..vin import wmi_owner_map
from .headers import match_header, template_header
from .pipeline import Stage, timed
from .rows import STAGE_COLUMNS, RowChecker
from .targets import VEHICLES, ImportPage, ImportTarget, import_target_register

VEHICLE = Vehicle._meta.db_table
HISTORY = VehicleStatusChange._meta.db_table

# Columns an import may change; an empty optional cell keeps the vehicle's current value.
_NEW_VALUES = sql.SQL("""
    s.model_id, s.production_date, coalesce(s.plant, v.plant), coalesce(s.status, v.status),
    coalesce(s.registration_country, v.registration_country), coalesce(s.registration_region, v.registration_region),
    coalesce(s.plate, v.plate), coalesce(s.registration_date, v.registration_date), coalesce(s.rxswin, v.rxswin)
""")
_OLD_VALUES = sql.SQL("""
    v.model_id, v.production_date, v.plant, v.status, v.registration_country, v.registration_region, v.plate,
    v.registration_date, v.rxswin
""")


def _counts(cursor, stage: Stage) -> tuple[int, int, int]:
    """(to create, to update, unchanged) among the valid staged rows."""
    cursor.execute(
        sql.SQL(
            """SELECT count(*) FILTER (WHERE v.id IS NULL),
                       count(*) FILTER (WHERE v.id IS NOT NULL AND ({old}) IS DISTINCT FROM ({new})),
                       count(*) FILTER (WHERE v.id IS NOT NULL AND ({old}) IS NOT DISTINCT FROM ({new}))
                FROM {stage} s LEFT JOIN {vehicle} v ON v.vin = s.vin
                WHERE s.err_reason IS NULL"""
        ).format(stage=stage.ident, vehicle=sql.Identifier(VEHICLE), old=_OLD_VALUES, new=_NEW_VALUES)
    )
    return cursor.fetchone()


def _upsert(job: ImportJob, stage: Stage) -> tuple[int, int, int]:
    """Update changed vehicles, insert new ones, and record status changes; inside the caller's transaction."""
    note = _("Import of %(file)s") % {"file": job.original_name}
    params = {"user": job.created_by_id, "note": note[:300], "source": ChangeSource.IMPORT, "job": job.pk}
    names = {"stage": stage.ident, "vehicle": sql.Identifier(VEHICLE), "history": sql.Identifier(HISTORY)}
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("SET LOCAL lock_timeout = '60s'"))
        # Other writers of the vehicles wait for this transaction (readers do not): the match below then
        # holds until commit, so the insert needs no per-row ON CONFLICT check.
        cursor.execute(sql.SQL("LOCK TABLE {vehicle} IN SHARE ROW EXCLUSIVE MODE").format(**names))
        with timed(job, "upsert: match existing vehicles"):
            # Matched once, before anything is inserted: an anti-join against the table the INSERT grows would
            # be planned from its old statistics (a nested loop over a "small" table) and turn quadratic.
            # The vehicle's status is kept in the staging row, so the history below reads the staging table
            # alone: on Citus an INSERT … SELECT that fills an identity column is not pushed down, and its SELECT,
            # a join of two tables without a shard key, would be planned as a repartition join over the whole
            # registry (refused, or with citus.enable_repartition_joins ~0.5 s even for no rows; docs/scaling.md).
            cursor.execute(
                sql.SQL(
                    """UPDATE {stage} s SET vehicle_id = v.id, from_status = v.status,
                                           changed = ({old}) IS DISTINCT FROM ({new})
                       FROM {vehicle} v
                       WHERE v.vin = s.vin AND s.err_reason IS NULL"""
                ).format(**names, old=_OLD_VALUES, new=_NEW_VALUES)
            )
        with timed(job, "upsert: history of changed vehicles"):
            # Every vehicle the import changes gets a history row linked to the run: its status change, or
            # (status unchanged, data changed) a row from its status to the same status.
            cursor.execute(
                sql.SQL(
                    """INSERT INTO {history} (vehicle_id, from_status, to_status, changed_by_id, changed_at, source,
                                             note, import_job_id)
                       SELECT s.vehicle_id, s.from_status, coalesce(s.status, s.from_status), %(user)s, now(),
                              %(source)s, %(note)s, %(job)s
                       FROM {stage} s
                       WHERE s.changed"""
                ).format(**names),
                params,
            )
        with timed(job, "upsert: update changed vehicles"):
            cursor.execute(
                sql.SQL(
                    """UPDATE {vehicle} v SET
                            model_id = s.model_id, production_date = s.production_date,
                            plant = coalesce(s.plant, v.plant), status = coalesce(s.status, v.status),
                            registration_country = coalesce(s.registration_country, v.registration_country),
                            registration_region = coalesce(s.registration_region, v.registration_region),
                            plate = coalesce(s.plate, v.plate),
                            registration_date = coalesce(s.registration_date, v.registration_date),
                            rxswin = coalesce(s.rxswin, v.rxswin),
                            updated_at = now()
                        FROM {stage} s
                        WHERE v.id = s.vehicle_id AND s.changed"""
                ).format(**names)
            )
            updated = cursor.rowcount
        with timed(job, "upsert: insert new vehicles + their first history rows"):
            cursor.execute(
                sql.SQL(
                    """WITH created AS (
                           INSERT INTO {vehicle} (vin, model_id, production_date, plant, status, registration_country,
                                                  registration_region, plate, registration_date, rxswin, created_at,
                                                  updated_at)
                           SELECT s.vin, s.model_id, s.production_date, coalesce(s.plant, ''),
                                  coalesce(s.status, %(produced)s), coalesce(s.registration_country, ''),
                                  coalesce(s.registration_region, ''), coalesce(s.plate, ''), s.registration_date,
                                  coalesce(s.rxswin, ''), now(), now()
                           FROM {stage} s
                           WHERE s.err_reason IS NULL AND s.vehicle_id IS NULL
                           RETURNING id, status
                       ), history AS (
                           INSERT INTO {history} (vehicle_id, from_status, to_status, changed_by_id, changed_at,
                                                  source, note, import_job_id)
                           SELECT id, '', status, %(user)s, now(), %(source)s, %(note)s, %(job)s
                           FROM created
                       )
                       SELECT count(*) FROM created"""
                ).format(**names),
                {**params, "produced": VehicleStatus.PRODUCED},
            )
            created = cursor.fetchone()[0]
    unchanged = max(0, job.rows_valid - created - updated)
    return created, updated, unchanged


def _checker(*, job: ImportJob, columns: dict[str, int], partner_id: int | None) -> RowChecker:
    """The row checks of one run: the partner's model names and the WMI register read once."""
    return RowChecker(
        columns=columns,
        market=job.market,
        partner_id=partner_id,
        wmi_owners=wmi_owner_map(),
        models=dict(VehicleModel.objects.values_list("name", "pk")),
    )


def _template_url(file_format: str) -> str:
    return reverse(f"vehicles:import_template_{file_format}")


PAGE = ImportPage(
    title=gettext_lazy("Import vehicles"),
    list_title=gettext_lazy("Vehicle imports"),
    list_url="vehicles:import_list",
    create_url="vehicles:import_create",
    rules=gettext_lazy(
        "A VIN already in the registry is updated when its data differ and left alone when they are the same, so "
        "importing a file twice creates no duplicates. An empty optional cell keeps the current value. When a VIN "
        "appears twice in the file, the later lines are refused."
    ),
)
# Under "Columns" on the upload page: each field with a few of the header names it is read from.
COLUMNS_HELP = (
    (gettext_lazy("VIN (required)"), "vin, VIN code, chassis number, 车架号, VIN码, 车辆识别代号"),
    (
        gettext_lazy("Model (required)"),
        format_lazy(
            "{} — {}", "model, model name, 车型, 车辆型号", gettext_lazy("the name of one of your vehicle models")
        ),
    ),
    (
        gettext_lazy("Production date (required)"),
        "production date, 生产日期, 制造日期 — 2025-03-01, 2025/03/01, 01.03.2025, 20250301",
    ),
    (gettext_lazy("Plant"), "plant, factory, 工厂"),
    (
        gettext_lazy("Optional"),
        "status (状态), registration country (ISO code), registration region, plate (车牌), registration date, "
        "RXSWIN (软件识别码)",
    ),
)

import_target_register(
    ImportTarget(
        kind=VEHICLES,
        label=gettext_lazy("Vehicles"),
        empty_message=gettext_lazy("The file has a header row but no vehicles."),
        stage_ddl="""vin varchar(17), model_id bigint, production_date date, plant text, status text,
                     registration_country text, registration_region text, plate text, registration_date date,
                     rxswin text, vehicle_id bigint, from_status text, changed boolean""",
        stage_columns=STAGE_COLUMNS,
        duplicate_key="vin",
        duplicate_column="vin",
        duplicate_message=gettext_lazy("The VIN is already on line %(line)s of this file."),
        match_header=match_header,
        checker=_checker,
        counts=_counts,
        upsert=_upsert,
        template_header=template_header,
        analyze=(VEHICLE, HISTORY),
        detail_url="vehicles:import_detail",
        page=PAGE,
        job_label=gettext_lazy("Vehicle import"),
        columns_help=COLUMNS_HELP,
        template_url=_template_url,
        template_name="vehicle-import-template",
    )
)
