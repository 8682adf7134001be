"""The measures: what each counts, its dimensions, its breakdowns, and the SQL that computes one partner's figures.

Each partner query runs in the partner's schema and returns (period, d1, d2, value) rows. `{months}` is replaced
by a filter on the months being recomputed (or by nothing on a full run), so the same SQL serves both.
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
    sql: str = ""  # per-partner query; blank for measures computed from public tables


def _month_filter(column: str) -> str:
    # The range lets PostgreSQL use the date index; the ANY keeps only the dirty months inside it.
    return (
        f"AND {column} >= %(lo)s AND {column} < %(hi)s "
        f"AND date_trunc('month', {column})::date = ANY(%(months)s::date[])"
    )


PRODUCTION_SQL = """
SELECT date_trunc('month', v.production_date)::date, m.category, '', count(*)
FROM vehicles_vehicle v JOIN vehicles_vehiclemodel m ON m.id = v.model_id
WHERE true {months}
GROUP BY 1, 2
"""
REGISTRATIONS_SQL = """
SELECT date_trunc('month', v.registration_date)::date, m.category, v.registration_country, count(*)
FROM vehicles_vehicle v JOIN vehicles_vehiclemodel m ON m.id = v.model_id
WHERE v.registration_date IS NOT NULL AND v.registration_country <> '' {months}
GROUP BY 1, 2, 3
"""
EXPORTS_SQL = """
SELECT date_trunc('month', s.shipped_at AT TIME ZONE 'UTC')::date, s.destination, m.category, count(*)
FROM compliance_shipment s
JOIN compliance_shipmentvehicle i ON i.shipment_id = s.id
JOIN vehicles_vehicle v ON v.id = i.vehicle_id
JOIN vehicles_vehiclemodel m ON m.id = v.model_id
WHERE s.status = 'shipped' AND s.shipped_at IS NOT NULL {months}
GROUP BY 1, 2, 3
"""
BLOCKED_SQL = """
SELECT date_trunc('month', c.checked_at AT TIME ZONE 'UTC')::date, '', '', count(DISTINCT c.shipment_id)
FROM compliance_shipmentcheck c
WHERE c.verdict = 'blocked' {months}
GROUP BY 1
"""
BLOCK_REASONS_SQL = """
SELECT date_trunc('month', c.checked_at AT TIME ZONE 'UTC')::date, r.reason ->> 'code', '',
       count(DISTINCT c.shipment_id)
FROM compliance_shipmentcheck c
CROSS JOIN LATERAL jsonb_array_elements(c.reasons) AS r(reason)
WHERE c.verdict = 'blocked' AND r.reason ->> 'severity' = 'block' {months}
GROUP BY 1, 2
"""
EXPIRING_SQL = """
SELECT date_trunc('month', c.valid_to)::date, t.code, '', count(*)
FROM compliance_certificate c JOIN reference_certificatetype t ON t.id = c.certificate_type_id
WHERE c.valid_to IS NOT NULL {months}
GROUP BY 1, 2
"""
SUPPLY_TOTAL_SQL = "SELECT month, '', '', total_value FROM supply_supplyreport WHERE true {months}"
SUPPLY_LOCAL_SQL = "SELECT month, '', '', local_value FROM supply_supplyreport WHERE true {months}"

# The column each query filters months on (for `_month_filter`).
MONTH_COLUMNS = {
    "production": "v.production_date",
    "registrations": "v.registration_date",
    "exports": "(s.shipped_at AT TIME ZONE 'UTC')",
    "shipments_blocked": "(c.checked_at AT TIME ZONE 'UTC')",
    "block_reasons": "(c.checked_at AT TIME ZONE 'UTC')",
    "certificates_expiring": "c.valid_to",
    "supply_total": "month",
    "supply_local": "month",
}

PARTNER_BREAKDOWNS = (B.KIND, B.COUNTRY)
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
            PRODUCTION_SQL,
        ),
        Measure(
            "registrations",
            _("Vehicles registered"),
            _("vehicles"),
            Source.VEHICLES,
            (B.TOTAL, B.CATEGORY, B.REGION, B.KIND),
            {B.CATEGORY: "d1", B.REGION: "d2"},
            REGISTRATIONS_SQL,
        ),
        Measure(
            "exports",
            _("Vehicles exported"),
            _("vehicles"),
            Source.SHIPMENTS,
            (B.TOTAL, B.DESTINATION, B.CATEGORY, B.KIND),
            {B.DESTINATION: "d1", B.CATEGORY: "d2"},
            EXPORTS_SQL,
        ),
        Measure(
            "shipments_blocked",
            _("Shipments blocked"),
            _("shipments"),
            Source.SHIPMENTS,
            (B.TOTAL, B.KIND),
            {},
            BLOCKED_SQL,
        ),
        Measure(
            "block_reasons",
            _("Blocked shipments by reason"),
            _("shipments"),
            Source.SHIPMENTS,
            (B.REASON,),
            {B.REASON: "d1"},
            BLOCK_REASONS_SQL,
        ),
        Measure(
            "certificates_expiring",
            _("Certificates expiring"),
            _("certificates"),
            Source.CERTIFICATES,
            (B.TOTAL, B.CERTIFICATE_TYPE, B.KIND),
            {B.CERTIFICATE_TYPE: "d1"},
            EXPIRING_SQL,
        ),
        Measure(
            "supply_total",
            _("Component purchases"),
            _("amount"),
            Source.SUPPLY,
            (B.TOTAL, B.KIND),
            {},
            SUPPLY_TOTAL_SQL,
        ),
        Measure(
            "supply_local",
            _("Component purchases from local suppliers"),
            _("amount"),
            Source.SUPPLY,
            (B.TOTAL, B.KIND),
            {},
            SUPPLY_LOCAL_SQL,
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
PARTNER_MEASURES = [measure for measure in MEASURES.values() if measure.sql]


def measures_of(source: str) -> list[Measure]:
    """The partner measures fed by one source."""
    return [measure for measure in PARTNER_MEASURES if measure.source == source]


def partner_sql(measure: Measure, *, incremental: bool) -> str:
    """The measure's per-partner query, filtered to the dirty months or over everything."""
    months = _month_filter(MONTH_COLUMNS[measure.code]) if incremental else ""
    return measure.sql.format(months=months)
