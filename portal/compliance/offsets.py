"""Local-production offset ledgers (Thailand EV 3.5): what a partner owes for its subsidised imports, what its
plants in the scheme's country made and exported, and where that leads by each deadline.

`ledger_compute` is the pure arithmetic (no database), fed by `ledger_get`, which reads the partner's schema
(subsidised imports, the vehicles of its plants in the scheme's country, their first export from that country)
and the scheme's rule rows (`portal.reference.offsets`). The page, the API and the statistics risk warning all
call `ledger_get`, so they share one set of figures.

The rules, as the rule rows hold them:
* obligation at a deadline = its ratio × the subsidised imports (EV 3.5: 2 by the end of 2026, 3 by the end of
  2027; the later, higher ratio applies only if the earlier deadline was missed);
* credits by a day = the vehicles made in the country from the scheme's start up to that day, each counting 1,
  or the export weight in force on the day it was exported from the country (EV 3.5: 1.5 for exports from
  2025-07-30), if it was exported by then;
* projection at a deadline = credits today + the credits of the last `RATE_WINDOW_DAYS` days per day × the days
  left (the current production rate, extrapolated).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import Sum
from django.utils import timezone
from psycopg import sql

from portal.reference.offsets import OffsetExportWeight, OffsetRatio, OffsetScheme
from portal.vehicles.models import Vehicle

from .choices import ShipmentStatus
from .models import PlantLocation, Shipment, ShipmentVehicle, SubsidisedImport

RATE_WINDOW_DAYS = 90
DAYS_PER_MONTH = Decimal("30")  # the page's "a month": 30 days of the rate

NONE, MET, ON_TRACK, BEHIND, MISSED = "none", "met", "on_track", "behind", "missed"


def today() -> datetime.date:
    """The day ledgers are computed for (a seam: tests set it)."""
    return timezone.localdate()


@dataclass(frozen=True)
class Production:
    """Vehicles made in the scheme's country on one day, and when they were first exported from it (None: not)."""

    produced_on: datetime.date
    exported_on: datetime.date | None
    count: int


@dataclass(frozen=True)
class Stage:
    """One deadline of the scheme: the obligation, the credits and the projection at it."""

    deadline: datetime.date
    ratio: Decimal
    obligation: Decimal
    credits: Decimal  # by the deadline, or by today when it is still ahead
    projected: Decimal  # at the deadline (equal to `credits` once it passed)
    days_left: int
    met: bool
    source: str

    @property
    def progress(self) -> int:
        """Credits as a percentage of the obligation (0–100+)."""
        return int((100 * self.credits / self.obligation).to_integral_value(ROUND_HALF_UP)) if self.obligation else 100

    @property
    def shortfall(self) -> Decimal:
        """How far the projection stays under the obligation (0 when it reaches it)."""
        return max(Decimal(0), self.obligation - self.projected)

    @property
    def required_per_month(self) -> Decimal | None:
        """Credits a month needed from today to meet it by the deadline (None once it passed)."""
        if self.days_left <= 0:
            return None
        missing = max(Decimal(0), self.obligation - self.credits)
        return (missing * DAYS_PER_MONTH / self.days_left).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class Ledger:
    """A partner's offset ledger under one scheme on one day."""

    scheme: OffsetScheme
    today: datetime.date
    imports: int
    produced: int  # vehicles made in the country since the scheme's start, up to today
    exported: int  # of those, exported from the country
    exported_weighted: int  # of those, exported when an export weight was in force (they count more)
    credits: Decimal
    rate_per_month: Decimal
    stages: list[Stage] = field(default_factory=list)
    status: str = NONE
    current: Stage | None = None  # the stage that decides the status

    @property
    def behind(self) -> bool:
        return self.status in (BEHIND, MISSED)


def _weight(weights: list, exported_on: datetime.date | None, day: datetime.date) -> Decimal:
    if exported_on is None or exported_on > day:
        return Decimal(1)
    in_force = [row.weight for row in weights if row.in_force_on(exported_on)]
    return max(in_force, default=Decimal(1))


def credits_by(rows: Iterable[Production], weights: list, *, start: datetime.date, day: datetime.date) -> Decimal:
    """The credits of the vehicles made from `start` up to `day`, exports counted as on `day`."""
    return sum(
        (row.count * _weight(weights, row.exported_on, day) for row in rows if start <= row.produced_on <= day),
        Decimal(0),
    )


def ledger_compute(
    *,
    scheme: OffsetScheme,
    ratios: list[OffsetRatio],
    weights: list[OffsetExportWeight],
    imports: int,
    production: list[Production],
    today: datetime.date,
) -> Ledger:
    """The ledger from its inputs (no database): stages per deadline, the status and the stage that decides it."""
    start = scheme.production_from
    credits = credits_by(production, weights, start=start, day=today)
    window_start = max(start, today - datetime.timedelta(days=RATE_WINDOW_DAYS - 1))
    recent = credits_by(production, weights, start=window_start, day=today)
    per_day = recent / RATE_WINDOW_DAYS
    made = [row for row in production if start <= row.produced_on <= today]
    ledger = Ledger(
        scheme=scheme,
        today=today,
        imports=imports,
        produced=sum(row.count for row in made),
        exported=sum(row.count for row in made if row.exported_on and row.exported_on <= today),
        exported_weighted=sum(row.count for row in made if _weight(weights, row.exported_on, today) > 1),
        credits=credits,
        rate_per_month=(per_day * DAYS_PER_MONTH).quantize(Decimal("0.1"), ROUND_HALF_UP),
    )
    for ratio in sorted(ratios, key=lambda row: row.deadline):
        obligation = ratio.ratio * imports
        days_left = (ratio.deadline - today).days
        if days_left > 0:
            at, projected = credits, credits + per_day * days_left
        else:
            at = projected = credits_by(production, weights, start=start, day=ratio.deadline)
        ledger.stages.append(
            Stage(
                deadline=ratio.deadline,
                ratio=ratio.ratio,
                obligation=obligation,
                credits=at,
                projected=projected.quantize(Decimal("0.1"), ROUND_HALF_UP),
                days_left=max(days_left, 0),
                met=at >= obligation,
                source=ratio.source_reference,
            )
        )
    if not imports or not ledger.stages:
        return ledger
    for stage in ledger.stages:
        if stage.met:  # met at a deadline (or already, ahead of it): later, higher ratios no longer apply
            ledger.status, ledger.current = MET, stage
            return ledger
        if stage.days_left > 0:  # the first deadline still ahead decides
            ledger.status = ON_TRACK if stage.projected >= stage.obligation else BEHIND
            ledger.current = stage
            return ledger
    ledger.status, ledger.current = MISSED, ledger.stages[-1]
    return ledger


# ---------------------------------------------------------------- reads (the partner's schema)


def scheme_list():
    """Offset schemes with their ratios and export weights (three queries)."""
    return OffsetScheme.objects.prefetch_related("ratios", "export_weights").order_by("country", "code")


PRODUCTION_SQL = """
SELECT v.{v_production_date}, e.first_day, count(*)
FROM {vehicle} v
LEFT JOIN (
    SELECT i.{i_vehicle} AS vehicle_id, min((s.{s_shipped_at} AT TIME ZONE 'UTC')::date) AS first_day
    FROM {item} i JOIN {shipment} s ON s.id = i.{i_shipment}
    WHERE s.{s_status} = %(shipped)s AND s.{s_origin} = %(country)s AND s.{s_shipped_at} IS NOT NULL
    GROUP BY i.{i_vehicle}
) e ON e.vehicle_id = v.id
WHERE v.{v_plant} IN (SELECT p.{p_plant} FROM {plant} p WHERE p.{p_country} = %(country)s)
  AND v.{v_production_date} >= %(start)s AND v.{v_production_date} <= %(today)s
GROUP BY 1, 2
"""


def _production_sql() -> str:
    """PRODUCTION_SQL with the tables and columns named through the models' `_meta`, quoted."""
    names = {}
    for prefix, model in (("v", Vehicle), ("i", ShipmentVehicle), ("s", Shipment), ("p", PlantLocation)):
        names.update({f"{prefix}_{f.name}": sql.Identifier(f.column).as_string() for f in model._meta.concrete_fields})
    tables = {"vehicle": Vehicle, "item": ShipmentVehicle, "shipment": Shipment, "plant": PlantLocation}
    names.update({key: sql.Identifier(model._meta.db_table).as_string() for key, model in tables.items()})
    return PRODUCTION_SQL.format(**names)


def production_rows(*, scheme: OffsetScheme, today: datetime.date) -> list[Production]:
    """The vehicles of the partner's plants in the scheme's country, per production day and first export day from
    that country (one grouped statement: exported vehicles joined once, not looked up per vehicle)."""
    params = {
        "shipped": ShipmentStatus.SHIPPED,
        "country": str(scheme.country),
        "start": scheme.production_from,
        "today": today,
    }
    with connection.cursor() as cursor:
        cursor.execute(_production_sql(), params)
        return [Production(produced_on, exported_on, count) for produced_on, exported_on, count in cursor.fetchall()]


def subsidised_import_list(*, scheme: OffsetScheme | None = None):
    imports = SubsidisedImport.objects.select_related("scheme").order_by("-imported_on", "-id")
    return imports.filter(scheme=scheme) if scheme is not None else imports


def ledger_get(*, scheme: OffsetScheme, today: datetime.date) -> Ledger:
    """The partner's ledger under `scheme` (fetched with `scheme_list`: its rules are prefetched) on `today`."""
    imports = SubsidisedImport.objects.filter(scheme=scheme).aggregate(total=Sum("quantity"))["total"] or 0
    ratios = [row for row in scheme.ratios.all() if row.in_force_on(today)]
    return ledger_compute(
        scheme=scheme,
        ratios=ratios,
        weights=list(scheme.export_weights.all()),
        imports=imports,
        production=production_rows(scheme=scheme, today=today) if imports else [],
        today=today,
    )


def ledgers_get(*, today: datetime.date) -> list[Ledger]:
    """The partner's ledger under every scheme it imported under (constant queries whatever the schemes)."""
    enrolled = set(SubsidisedImport.objects.values_list("scheme_id", flat=True).distinct())
    return [ledger_get(scheme=scheme, today=today) for scheme in scheme_list() if scheme.pk in enrolled]
