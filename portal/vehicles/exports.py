"""Streaming CSV and XLSX exports of a vehicle queryset (memory does not grow with the number of rows)."""

import csv
import datetime
import tempfile

from django.http import FileResponse, StreamingHttpResponse
from openpyxl import Workbook

from .selectors import EXPORT_COLUMNS, vehicle_export_rows

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_MAX_ROWS = 1_048_575  # the sheet's limit, minus the header


def neutralise(value) -> object:
    """Keep spreadsheet programs from running a cell as a formula (CSV / formula injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _cells(row) -> list:
    return [neutralise(value.isoformat() if isinstance(value, datetime.date) else value) for value in row]


class _Echo:
    def write(self, value):
        return value


def _filename(extension: str, name: str = "vehicles") -> str:
    return f"{name}-{datetime.date.today().isoformat()}.{extension}"


def table_csv_response(*, headers: list[str], rows, name: str) -> StreamingHttpResponse:
    """A CSV download of any rows (tuples), streamed row by row."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # BOM so spreadsheet programs read UTF-8
        yield writer.writerow(headers)
        for row in rows:
            yield writer.writerow(_cells(row))

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv", name)}"'
    return response


def table_xlsx_response(*, headers: list[str], rows, name: str) -> FileResponse:
    """An XLSX download written in openpyxl's write-only mode to a temporary file, then sent from disk."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(name[:31])
    sheet.append(headers)
    for count, row in enumerate(rows):
        if count >= XLSX_MAX_ROWS:
            break
        sheet.append(_cells(row))
    # FileResponse closes the file once sent; a temporary file disappears when closed.
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=_filename("xlsx", name),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def vehicles_csv_response(queryset) -> StreamingHttpResponse:
    """A CSV download streamed row by row from a server-side cursor."""
    headers = [header for _field, header in EXPORT_COLUMNS]
    return table_csv_response(headers=headers, rows=vehicle_export_rows(queryset=queryset), name="vehicles")


def vehicles_xlsx_response(queryset) -> FileResponse:
    """An XLSX download written in openpyxl's write-only mode to a temporary file, then sent from disk."""
    headers = [header for _field, header in EXPORT_COLUMNS]
    return table_xlsx_response(headers=headers, rows=vehicle_export_rows(queryset=queryset), name="vehicles")
