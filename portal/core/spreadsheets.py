"""The one rule for every CSV / XLSX export: cells never start a formula (CSV / formula injection).

Spreadsheet programs run a cell that starts with =, +, - or @ as a formula (and some treat a leading tab or
carriage return the same way), so `=HYPERLINK(...)` typed into a project title would run on the reader's
machine. Text cells that start so get a leading apostrophe, which spreadsheets show as plain text; numbers,
dates and booleans are left as they are (a negative number is data, not a formula).
"""

import csv
import datetime
from collections.abc import Iterable, Iterator

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value as a spreadsheet must show it: text starting like a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_row(row: Iterable) -> list:
    """Every cell of a row made safe; dates become ISO text (the same in CSV and XLSX)."""
    return [
        safe_cell(value.isoformat() if isinstance(value, datetime.date | datetime.datetime) else value) for value in row
    ]


class _Echo:
    """A file-like object whose write returns the text, for streaming csv.writer output."""

    def write(self, value):
        return value


class SafeCsvWriter:
    """csv.writer whose rows are always made safe; writerow returns the line (for streaming responses)."""

    def __init__(self, stream=None, **options):
        self._writer = csv.writer(stream if stream is not None else _Echo(), **options)

    def writerow(self, row: Iterable):
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable]):
        for row in rows:
            self._writer.writerow(safe_row(row))


def csv_lines(header: Iterable, rows: Iterable[Iterable], *, bom: bool = True) -> Iterator[str]:
    """CSV text line by line (UTF-8 BOM first, so spreadsheet programs read UTF-8), every cell made safe."""
    writer = SafeCsvWriter()
    if bom:
        yield "\ufeff"
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow(row)


XLSX_MAX_ROWS = 1_048_575  # the sheet's limit, minus the header


def _filename(name: str, extension: str) -> str:
    return f"{name}-{datetime.date.today().isoformat()}.{extension}"


def table_csv_response(*, headers: list[str], rows: Iterable[Iterable], name: str):
    """A CSV download of any rows, streamed row by row (memory does not grow with the rows)."""
    from django.http import StreamingHttpResponse

    response = StreamingHttpResponse(csv_lines(headers, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(name, "csv")}"'
    return response


def table_xlsx_response(*, headers: list[str], rows: Iterable[Iterable], name: str):
    """An XLSX download written in openpyxl's write-only mode to a temporary file, then sent from disk."""
    import tempfile

    from django.http import FileResponse
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(name[:31])
    sheet.append(safe_row(headers))
    for count, row in enumerate(rows):
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
        filename=_filename(name, "xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
