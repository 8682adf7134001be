"""Streaming CSV and XLSX exports of a vehicle queryset (memory does not grow with the number of rows)."""

from portal.core.spreadsheets import table_csv_response, table_xlsx_response

from .selectors import EXPORT_COLUMNS, vehicle_export_rows

HEADERS = [header for _field, header in EXPORT_COLUMNS]


def vehicles_csv_response(queryset):
    """A CSV download streamed row by row from a server-side cursor."""
    return table_csv_response(headers=HEADERS, rows=vehicle_export_rows(queryset=queryset), name="vehicles")


def vehicles_xlsx_response(queryset):
    """An XLSX download of the vehicles (at most one sheet's worth of rows)."""
    return table_xlsx_response(headers=HEADERS, rows=vehicle_export_rows(queryset=queryset), name="vehicles")
