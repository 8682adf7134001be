"""The measures: what each counts, its dimensions and breakdowns, and the SQL scans that compute a partner's figures.

A scan runs in the partner's schema over one source's tables and returns (measure, period, d1, d2, value) rows
for every measure of that source, so a partner costs one statement per source. `{filter}` is replaced by a
filter on the months being recomputed (or by nothing on a full run); an incremental scan also keeps only the
rows of those months, since a group of another month may have been read only in part.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _
from psycopg import sql

from portal.batteries.choices import CARBON_FOOTPRINT_CLASS, RECYCLED_SHARES
from portal.batteries.models import Battery, BatteryModel
from portal.collaboration.models import Project, Transition
from portal.compliance.choices import Severity, ShipmentStatus, Verdict
from portal.compliance.models import Certificate, Shipment, ShipmentCheck, ShipmentVehicle
from portal.reference.models import CertificateType
from portal.supply.models import SupplyReport
from portal.vehicles.models import Vehicle, VehicleModel
from tenants.models import Partner

from .choices import Breakdown, Source
from .models import Cell, Fact

B = Breakdown


class Table:
    """A model's table in an SQL template: `{Vehicle}` is its quoted name, `{Vehicle.model}` a field's column.

    Works on historical models too (a migration's `apps`), so the change-capture triggers name tables the same way.
    """

    def __init__(self, model):
        self._meta = model._meta

    def __str__(self) -> str:
        return sql.Identifier(self._meta.db_table).as_string()

    def __getattr__(self, name: str) -> str:
        if name.startswith("_"):
            raise AttributeError(name)
        return sql.Identifier(self._meta.get_field(name).column).as_string()


MODELS = [
    Vehicle,
    VehicleModel,
    Shipment,
    ShipmentVehicle,
    ShipmentCheck,
    Certificate,
    CertificateType,
    SupplyReport,
    Project,
    Transition,
    Battery,
    BatteryModel,
    Partner,
    Fact,
    Cell,
]


def sql_render(template: str, **values: str) -> str:
    """The template with every `{Model}` and `{Model.field}` of `MODELS` named through `_meta`, and `values`.

    Values in the statement itself (states, months, codes) stay `%(name)s` parameters.
    """
    return template.format(**{model.__name__: Table(model) for model in MODELS}, **values)


@dataclass(frozen=True)
class Measure:
    """One statistic: its code, label, unit, where its rows come from, and how it can be broken down."""

    code: str
    label: str
    unit: str
    source: str
    breakdowns: tuple[str, ...]
    dimensions: dict  # breakdown → "d1" or "d2" (the fact column that holds it)
    ratio_of: tuple[str, str] | None = None  # (numerator, denominator) measures of a percentage computed on read


@dataclass(frozen=True)
class Scan:
    """One query over a source's tables that yields the rows of several measures."""

    source: str
    measures: tuple[str, ...]  # the measures whose rows it yields
    sql: str  # a template for `sql_render`, with `{filter}` for the months and `%(name)s` for `params`
    month_columns: tuple[str, ...]  # the date expressions (templates too) whose months the incremental filter selects
    params: dict = field(default_factory=dict)  # the states it selects, from the domain apps' choices


def _month(column: str) -> str:
    # date_trunc on a timestamp, not on a date (which PostgreSQL would turn into a time-zone-aware timestamp).
    return f"date_trunc('month', {column}::timestamp)::date"


VEHICLES_SQL = """
SELECT CASE WHEN GROUPING(x.produced) = 0 THEN 'production' ELSE 'registrations' END,
       COALESCE(x.produced, x.registered), x.category, COALESCE(x.country, ''), count(*)
FROM (
    SELECT date_trunc('month', v.{Vehicle.production_date}::timestamp)::date AS produced,
           CASE WHEN v.{Vehicle.registration_country} <> ''
                THEN date_trunc('month', v.{Vehicle.registration_date}::timestamp)::date END AS registered,
           m.{VehicleModel.category} AS category, v.{Vehicle.registration_country} AS country
    FROM {Vehicle} v JOIN {VehicleModel} m ON m.id = v.{Vehicle.model}
    WHERE true {filter}
) AS x
GROUP BY GROUPING SETS ((x.produced, x.category), (x.registered, x.category, x.country))
HAVING GROUPING(x.produced) = 0 OR x.registered IS NOT NULL
"""
EXPORTS_SQL = """
SELECT 'exports', date_trunc('month', s.{Shipment.shipped_at} AT TIME ZONE 'UTC')::date, s.{Shipment.destination},
       m.{VehicleModel.category}, count(*)
FROM {Shipment} s
JOIN {ShipmentVehicle} i ON i.{ShipmentVehicle.shipment} = s.id
JOIN {Vehicle} v ON v.id = i.{ShipmentVehicle.vehicle}
JOIN {VehicleModel} m ON m.id = v.{Vehicle.model}
WHERE s.{Shipment.status} = %(shipment_shipped)s AND s.{Shipment.shipped_at} IS NOT NULL {filter}
GROUP BY 2, 3, 4
"""
# A check compliance officers released counts as released, not as blocked (releasing updates the check's
# `released`, so the check's own trigger marks its month).
CHECKS_SQL = """
SELECT 'shipments_blocked', date_trunc('month', c.{ShipmentCheck.checked_at} AT TIME ZONE 'UTC')::date, '', '',
       count(DISTINCT c.{ShipmentCheck.shipment})
FROM {ShipmentCheck} c
WHERE c.{ShipmentCheck.verdict} = %(check_blocked)s AND NOT c.{ShipmentCheck.released} {filter}
GROUP BY 2
UNION ALL
SELECT 'shipments_released', date_trunc('month', c.{ShipmentCheck.checked_at} AT TIME ZONE 'UTC')::date, '', '',
       count(DISTINCT c.{ShipmentCheck.shipment})
FROM {ShipmentCheck} c
WHERE c.{ShipmentCheck.released} {filter}
GROUP BY 2
UNION ALL
SELECT 'block_reasons', date_trunc('month', c.{ShipmentCheck.checked_at} AT TIME ZONE 'UTC')::date,
       r.reason ->> 'code', '', count(DISTINCT c.{ShipmentCheck.shipment})
FROM {ShipmentCheck} c
CROSS JOIN LATERAL jsonb_array_elements(c.{ShipmentCheck.reasons}) AS r(reason)
WHERE c.{ShipmentCheck.verdict} = %(check_blocked)s AND NOT c.{ShipmentCheck.released}
  AND r.reason ->> 'severity' = %(reason_blocks)s AND r.reason ->> 'code' IS NOT NULL {filter}
GROUP BY 2, 3
"""
EXPIRING_SQL = """
SELECT 'certificates_expiring', date_trunc('month', c.{Certificate.valid_to}::timestamp)::date,
       t.{CertificateType.code}, '', count(*)
FROM {Certificate} c JOIN {CertificateType} t ON t.id = c.{Certificate.certificate_type}
WHERE c.{Certificate.valid_to} IS NOT NULL {filter}
GROUP BY 2, 3
"""
SUPPLY_SQL = """
SELECT 'supply_total', {SupplyReport.month}, '', '', {SupplyReport.total_value} FROM {SupplyReport} WHERE true {filter}
UNION ALL
SELECT 'supply_local', {SupplyReport.month}, '', '', {SupplyReport.local_value} FROM {SupplyReport} WHERE true {filter}
"""

# Batteries count in the month their passport was registered (created). A value is the battery's own, else its
# model's (as on the passport: `m.values || b.values`, the services keep no empty values). The carbon-footprint
# performance class is a letter ("B", "class B"); anything else declared is "other", nothing is "none". A recycled
# share is a number with an optional "%" (decimal comma too); a material's share is its pre- plus post-consumer
# share when either is declared, and falls in one of RECYCLED_BANDS (lower bound included, "0" is exactly 0); it is
# "none" when neither is declared as a number, or when they add up to more than 100.
NOT_DECLARED = "none"
OTHER_CLASS = "other"
RECYCLED_BANDS = (("0", 0), ("0-5", 5), ("5-10", 10), ("10-20", 20), ("20-50", 50), ("50-100", 100))
BATTERY_MATERIALS = tuple(RECYCLED_SHARES)
_SHARE = (
    "CASE WHEN x.v ->> %({code})s ~ '^[[:space:]]*[0-9]+([.,][0-9]+)?[[:space:]]*%%?[[:space:]]*$' "
    "THEN replace(substring(x.v ->> %({code})s from '[0-9]+(?:[.,][0-9]+)?'), ',', '.')::numeric END"
)


def _band(material: str) -> str:
    steps = [
        f"WHEN w.{material} IS NULL OR w.{material} > 100 THEN '{NOT_DECLARED}'",
        f"WHEN w.{material} = 0 THEN '0'",
    ]
    steps += [f"WHEN w.{material} < {upper} THEN '{band}'" for band, upper in RECYCLED_BANDS[1:-1]]
    return f"CASE {' '.join(steps)} ELSE '{RECYCLED_BANDS[-1][0]}' END AS {material}"


def _battery_sql() -> str:
    materials = BATTERY_MATERIALS
    comma = ",\n           "
    shares = comma.join(
        f"{_SHARE.format(code=f'battery_{material}_{side}')} AS {material}_{side}"
        for material in materials
        for side in ("pre", "post")
    )
    sums = comma.join(f"coalesce(p.{m}_pre + p.{m}_post, p.{m}_pre, p.{m}_post) AS {m}" for m in materials)
    bands = comma.join(_band(material) for material in materials)
    measures = " ".join(f"WHEN GROUPING(y.{m}) = 0 THEN 'battery_recycled_{m}'" for m in materials)
    sets = ", ".join(f"(y.period, y.{m})" for m in materials)
    keys = ", ".join(f"y.{m}" for m in materials)
    # A template for sql_render (its own braces doubled), built from the constants above; values stay parameters.
    return f"""
SELECT CASE WHEN GROUPING(y.category) = 0 THEN 'batteries' WHEN GROUPING(y.carbon_class) = 0 THEN 'battery_carbon_class'
            {measures} END,
       y.period, coalesce(y.category, y.carbon_class, {keys}), coalesce(y.chemistry, ''), count(*)
FROM (
    SELECT w.period, w.category, w.chemistry,
           coalesce(substring(upper(w.class) from '^[[:space:]]*(?:CLASS[[:space:]]*)?([A-Z])[[:space:]]*$'),
                    CASE WHEN coalesce(w.class, '') ~ '^[[:space:]]*$' THEN '{NOT_DECLARED}' ELSE '{OTHER_CLASS}' END
           ) AS carbon_class,
           {bands}
    FROM (
        SELECT p.period, p.category, p.chemistry, p.class,
           {sums}
        FROM (
            SELECT x.period, x.category, x.chemistry, x.v ->> %(battery_class)s AS class,
               {shares}
            FROM (
                SELECT date_trunc('month', b.{{Battery.created_at}} AT TIME ZONE 'UTC')::date AS period,
                       b.{{Battery.category}} AS category, m.{{BatteryModel.chemistry}} AS chemistry,
                       m.{{BatteryModel.values}} || b.{{Battery.values}} AS v
                FROM {{Battery}} b JOIN {{BatteryModel}} m ON m.id = b.{{Battery.battery_model}}
                WHERE true {{filter}}
            ) AS x
        ) AS p
    ) AS w
) AS y
GROUP BY GROUPING SETS ((y.period, y.category, y.chemistry), (y.period, y.carbon_class), {sets})
"""  # noqa: S608 - constants and model names only


BATTERIES_SQL = _battery_sql()
BATTERY_PARAMS = {
    "battery_class": CARBON_FOOTPRINT_CLASS,
    **{
        f"battery_{material}_{side}": code
        for material, pair in RECYCLED_SHARES.items()
        for side, code in zip(("pre", "post"), pair, strict=True)
    },
}
SCANS = [
    Scan(
        Source.VEHICLES,
        ("production", "registrations"),
        VEHICLES_SQL,
        ("v.{Vehicle.production_date}", "v.{Vehicle.registration_date}"),
    ),
    Scan(
        Source.SHIPMENTS,
        ("exports",),
        EXPORTS_SQL,
        ("(s.{Shipment.shipped_at} AT TIME ZONE 'UTC')",),
        {"shipment_shipped": ShipmentStatus.SHIPPED},
    ),
    Scan(
        Source.SHIPMENTS,
        ("shipments_blocked", "shipments_released", "block_reasons"),
        CHECKS_SQL,
        ("(c.{ShipmentCheck.checked_at} AT TIME ZONE 'UTC')",),
        {"check_blocked": Verdict.BLOCKED, "reason_blocks": Severity.BLOCK},
    ),
    Scan(Source.CERTIFICATES, ("certificates_expiring",), EXPIRING_SQL, ("c.{Certificate.valid_to}",)),
    Scan(Source.SUPPLY, ("supply_total", "supply_local"), SUPPLY_SQL, ("{SupplyReport.month}",)),
    Scan(
        Source.BATTERIES,
        ("batteries", "battery_carbon_class", *(f"battery_recycled_{material}" for material in BATTERY_MATERIALS)),
        BATTERIES_SQL,
        ("(b.{Battery.created_at} AT TIME ZONE 'UTC')",),
        BATTERY_PARAMS,
    ),
]

MEASURES: dict[str, Measure] = {
    measure.code: measure
    for measure in [
        Measure(
            "production",
            _("Vehicles produced"),
            _("vehicles"),
            Source.VEHICLES,
            (B.TOTAL, B.CATEGORY, B.KIND, B.COUNTRY),
            {B.CATEGORY: "d1"},
        ),
        Measure(
            "registrations",
            _("Vehicles registered"),
            _("vehicles"),
            Source.VEHICLES,
            (B.TOTAL, B.CATEGORY, B.REGION, B.KIND),
            {B.CATEGORY: "d1", B.REGION: "d2"},
        ),
        Measure(
            "exports",
            _("Vehicles exported"),
            _("vehicles"),
            Source.SHIPMENTS,
            (B.TOTAL, B.DESTINATION, B.CATEGORY, B.KIND),
            {B.DESTINATION: "d1", B.CATEGORY: "d2"},
        ),
        Measure(
            "shipments_blocked",
            _("Shipments blocked"),
            _("shipments"),
            Source.SHIPMENTS,
            (B.TOTAL, B.KIND),
            {},
        ),
        Measure(
            "shipments_released",
            _("Shipments released by compliance officers"),
            _("shipments"),
            Source.SHIPMENTS,
            (B.TOTAL, B.KIND),
            {},
        ),
        Measure(
            "block_reasons",
            _("Blocked shipments by reason"),
            _("shipments"),
            Source.SHIPMENTS,
            (B.REASON,),
            {B.REASON: "d1"},
        ),
        Measure(
            "certificates_expiring",
            _("Certificates expiring"),
            _("certificates"),
            Source.CERTIFICATES,
            (B.TOTAL, B.CERTIFICATE_TYPE, B.KIND),
            {B.CERTIFICATE_TYPE: "d1"},
        ),
        Measure(
            "supply_total",
            _("Component purchases"),
            _("amount"),
            Source.SUPPLY,
            (B.TOTAL, B.KIND),
            {},
        ),
        Measure(
            "supply_local",
            _("Component purchases from local suppliers"),
            _("amount"),
            Source.SUPPLY,
            (B.TOTAL, B.KIND),
            {},
        ),
        Measure(
            "local_supply_rate",
            _("Local supply rate"),
            "%",
            "derived",
            (B.TOTAL, B.KIND),
            {},
            ratio_of=("supply_local", "supply_total"),
        ),
        Measure(
            "project_stage_entries",
            _("Projects entering a stage"),
            _("projects"),
            "projects",
            (B.STAGE, B.KIND),
            {B.STAGE: "d1"},
        ),
        Measure(
            "batteries",
            _("Batteries registered"),
            _("batteries"),
            Source.BATTERIES,
            (B.TOTAL, B.BATTERY_CATEGORY, B.CHEMISTRY, B.KIND, B.COUNTRY),
            {B.BATTERY_CATEGORY: "d1", B.CHEMISTRY: "d2"},
        ),
        Measure(
            "battery_carbon_class",
            _("Batteries by carbon-footprint performance class"),
            _("batteries"),
            Source.BATTERIES,
            (B.CARBON_CLASS,),
            {B.CARBON_CLASS: "d1"},
        ),
        *(
            Measure(
                f"battery_recycled_{material}",
                label,
                _("batteries"),
                Source.BATTERIES,
                (B.RECYCLED_SHARE,),
                {B.RECYCLED_SHARE: "d1"},
            )
            for material, label in [
                ("cobalt", _("Batteries by recycled cobalt share")),
                ("lithium", _("Batteries by recycled lithium share")),
                ("nickel", _("Batteries by recycled nickel share")),
                ("lead", _("Batteries by recycled lead share")),
            ]
        ),
    ]
}
PARTNER_MEASURES = [measure for measure in MEASURES.values() if measure.source not in ("projects", "derived")]
STORED_MEASURES = [measure for measure in MEASURES.values() if measure.ratio_of is None]


DIRTY_MONTHS_ONLY = (
    "SELECT * FROM ({inner}) AS scan(measure, period, d1, d2, value) WHERE scan.period = ANY(%(months_{key})s::date[])"
)


def scan_sql(scan: Scan, *, key: str | None) -> str:
    """The scan's query; with `key`, filtered to the months in parameters `months_<key>`, `lo_<key>`, `hi_<key>`.

    Its states are parameters too: the caller passes `scan.params`.
    """
    if key is None:
        return sql_render(scan.sql, filter="")
    columns = [sql_render(column) for column in scan.month_columns]
    ranges = " OR ".join(f"({column} >= %(lo_{key})s AND {column} < %(hi_{key})s)" for column in columns)
    months = " OR ".join(f"{_month(column)} = ANY(%(months_{key})s::date[])" for column in columns)
    # The ranges let PostgreSQL use the date indexes; the ANY keeps only the dirty months inside them.
    inner = sql_render(scan.sql, filter=f"AND ({ranges}) AND ({months})")
    return DIRTY_MONTHS_ONLY.format(inner=inner, key=key)
