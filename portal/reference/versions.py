"""Versions of the rule tables and the screening list, taken from their change history.

Every change (admin, CSV import, service) writes a django-simple-history row with an increasing id, also for
deletions. A table's version is its newest history id, so it moves with every change on every path and needs
no counter of its own. The rule version is the sum over the rule tables (it grows with any of them); the
components are stored with each verdict, so the exact tables it used can be rebuilt from the history
(`portal.reference.selectors.rule_set_as_of`).
"""

from django.db import connection
from django_tenants.utils import get_public_schema_name
from psycopg import sql

from .models import (
    CertificateType,
    Embargo,
    ExportLicenceRule,
    ImportDutyRate,
    MarketBloc,
    MarketRequirement,
    PriceUndertaking,
    ScreenedParty,
)

RULE_TABLES = {
    "market_blocs": MarketBloc,
    "certificate_types": CertificateType,
    "market_requirements": MarketRequirement,
    "embargoes": Embargo,
    "export_licence_rules": ExportLicenceRule,
    "import_duty_rates": ImportDutyRate,
    "price_undertakings": PriceUndertaking,
}
SCREENING_TABLE = ("screening", ScreenedParty)


def _history_table(model) -> str:
    return model.history.model._meta.db_table


def reference_versions() -> dict[str, int]:
    """The newest history id of each table (0 when never changed): one query."""
    tables = [*RULE_TABLES.items(), SCREENING_TABLE]
    selects = sql.SQL(", ").join(
        sql.SQL("(SELECT COALESCE(MAX(history_id), 0) FROM {})").format(
            sql.Identifier(get_public_schema_name(), _history_table(model))
        )
        for _name, model in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("SELECT {}").format(selects).as_string(cursor.connection))
        row = cursor.fetchone()
    return {name: int(value) for (name, _model), value in zip(tables, row, strict=True)}


def rules_version(versions: dict[str, int]) -> int:
    """One number for the rule tables together; it grows with every change of any of them."""
    return sum(versions.get(name, 0) for name in RULE_TABLES)
