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
