"""Streaming CSV and XLSX exports of a vehicle queryset (memory does not grow with the number of rows)."""

import datetime
import tempfile

from django.http import FileResponse, StreamingHttpResponse
from openpyxl import Workbook

from portal.core.spreadsheets import csv_lines, safe_row

from .selectors import EXPORT_COLUMNS, vehicle_export_rows

XLSX_MAX_ROWS = 1_048_575  # the sheet's limit, minus the header


def _filename(extension: str) -> str:
    return f"vehicles-{datetime.date.today().isoformat()}.{extension}"


def vehicles_csv_response(queryset) -> StreamingHttpResponse:
    """A CSV download streamed row by row from a server-side cursor."""
    lines = csv_lines([header for _field, header in EXPORT_COLUMNS], vehicle_export_rows(queryset=queryset))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response


def vehicles_xlsx_response(queryset) -> FileResponse:
    """An XLSX download written in openpyxl's write-only mode to a temporary file, then sent from disk."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("vehicles")
    sheet.append(safe_row(header for _field, header in EXPORT_COLUMNS))
    for count, row in enumerate(vehicle_export_rows(queryset=queryset)):
        if count >= XLSX_MAX_ROWS:
            break
        sheet.append(safe_row(row))
    # FileResponse closes the file once sent; a temporary file disappears when closed.
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=_filename("xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
