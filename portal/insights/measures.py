"""The measures: what each counts, its dimensions and breakdowns, and the SQL scans that compute a partner's figures.

A scan runs in the partner's schema over one source's tables and returns (measure, period, d1, d2, value) rows
for every measure of that source, so a partner costs one statement per source. `{filter}` is replaced by a
filter on the months being recomputed (or by nothing on a full run); an incremental scan also keeps only the
rows of those months, since a group of another month may have been read only in part.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .choices import Breakdown, Source

B = Breakdown


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
    sql: str
    month_columns: tuple[str, ...]  # the date expressions whose months the incremental filter selects


def _month(column: str) -> str:
    # date_trunc on a timestamp, not on a date (which PostgreSQL would turn into a time-zone-aware timestamp).
    return f"date_trunc('month', {column}::timestamp)::date"


VEHICLES_SQL = """
SELECT CASE WHEN GROUPING(x.produced) = 0 THEN 'production' ELSE 'registrations' END,
       COALESCE(x.produced, x.registered), x.category, COALESCE(x.country, ''), count(*)
FROM (
    SELECT date_trunc('month', v.production_date::timestamp)::date AS produced,
           CASE WHEN v.registration_country <> ''
                THEN date_trunc('month', v.registration_date::timestamp)::date END AS registered,
           m.category, v.registration_country AS country
    FROM vehicles_vehicle v JOIN vehicles_vehiclemodel m ON m.id = v.model_id
    WHERE true {filter}
) AS x
GROUP BY GROUPING SETS ((x.produced, x.category), (x.registered, x.category, x.country))
HAVING GROUPING(x.produced) = 0 OR x.registered IS NOT NULL
"""
EXPORTS_SQL = """
SELECT 'exports', date_trunc('month', s.shipped_at AT TIME ZONE 'UTC')::date, s.destination, m.category, count(*)
FROM compliance_shipment s
JOIN compliance_shipmentvehicle i ON i.shipment_id = s.id
JOIN vehicles_vehicle v ON v.id = i.vehicle_id
JOIN vehicles_vehiclemodel m ON m.id = v.model_id
WHERE s.status = 'shipped' AND s.shipped_at IS NOT NULL {filter}
GROUP BY 2, 3, 4
"""
CHECKS_SQL = """
SELECT 'shipments_blocked', date_trunc('month', c.checked_at AT TIME ZONE 'UTC')::date, '', '',
       count(DISTINCT c.shipment_id)
FROM compliance_shipmentcheck c
WHERE c.verdict = 'blocked' {filter}
GROUP BY 2
UNION ALL
SELECT 'block_reasons', date_trunc('month', c.checked_at AT TIME ZONE 'UTC')::date, r.reason ->> 'code', '',
       count(DISTINCT c.shipment_id)
FROM compliance_shipmentcheck c
CROSS JOIN LATERAL jsonb_array_elements(c.reasons) AS r(reason)
WHERE c.verdict = 'blocked' AND r.reason ->> 'severity' = 'block' AND r.reason ->> 'code' IS NOT NULL {filter}
GROUP BY 2, 3
"""
EXPIRING_SQL = """
SELECT 'certificates_expiring', date_trunc('month', c.valid_to::timestamp)::date, t.code, '', count(*)
FROM compliance_certificate c JOIN reference_certificatetype t ON t.id = c.certificate_type_id
WHERE c.valid_to IS NOT NULL {filter}
GROUP BY 2, 3
"""
SUPPLY_SQL = """
SELECT 'supply_total', month, '', '', total_value FROM supply_supplyreport WHERE true {filter}
UNION ALL
SELECT 'supply_local', month, '', '', local_value FROM supply_supplyreport WHERE true {filter}
"""
SCANS = [
    Scan(Source.VEHICLES, VEHICLES_SQL, ("v.production_date", "v.registration_date")),
    Scan(Source.SHIPMENTS, EXPORTS_SQL, ("(s.shipped_at AT TIME ZONE 'UTC')",)),
    Scan(Source.SHIPMENTS, CHECKS_SQL, ("(c.checked_at AT TIME ZONE 'UTC')",)),
    Scan(Source.CERTIFICATES, EXPIRING_SQL, ("c.valid_to",)),
    Scan(Source.SUPPLY, SUPPLY_SQL, ("month",)),
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
    ]
}
PARTNER_MEASURES = [measure for measure in MEASURES.values() if measure.source not in ("projects", "derived")]
STORED_MEASURES = [measure for measure in MEASURES.values() if measure.ratio_of is None]


def measures_of(source: str) -> list[Measure]:
    """The partner measures fed by one source."""
    return [measure for measure in PARTNER_MEASURES if measure.source == source]


DIRTY_MONTHS_ONLY = (
    "SELECT * FROM ({inner}) AS scan(measure, period, d1, d2, value) WHERE scan.period = ANY(%(months_{key})s::date[])"
)


def scan_sql(scan: Scan, *, key: str | None) -> str:
    """The scan's query; with `key`, filtered to the months in parameters `months_<key>`, `lo_<key>`, `hi_<key>`."""
    if key is None:
        return scan.sql.format(filter="")
    ranges = " OR ".join(f"({column} >= %(lo_{key})s AND {column} < %(hi_{key})s)" for column in scan.month_columns)
    months = " OR ".join(f"{_month(column)} = ANY(%(months_{key})s::date[])" for column in scan.month_columns)
    # The ranges let PostgreSQL use the date indexes; the ANY keeps only the dirty months inside them.
    inner = scan.sql.format(filter=f"AND ({ranges}) AND ({months})")
    return DIRTY_MONTHS_ONLY.format(inner=inner, key=key)
