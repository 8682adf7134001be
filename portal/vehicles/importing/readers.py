"""Streaming readers: sniff the kind, encoding and separator of an upload, then yield its rows one by one.

Memory stays flat whatever the file size: text is decoded incrementally, each line is capped at
MAX_LINE_CHARS, and XLSX is read with openpyxl's read-only (SAX) mode.
"""

import codecs
import csv
import datetime
import decimal
import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from .errors import ImportFileError
from .headers import match_header

MAX_UPLOAD_BYTES = 2 * 1024**3  # 2 GB: over this, the upload is refused before anything is stored
MAX_LINE_CHARS = 10_000  # a vehicle row is ~100 characters; a longer line is not a table row
SNIFF_BYTES = 64 * 1024
SEPARATORS = (",", ";", "\t")
ZIP_MAGIC = b"PK\x03\x04"
# An XLSX file is a ZIP archive: before openpyxl opens it, its directory is checked so that a small upload
# cannot unpack into gigabytes (a decompression bomb). Python's zipfile never inflates a member past the size
# the directory declares, so checking the declared sizes is enough.
XLSX_MAX_MEMBERS = 1_000
XLSX_MAX_UNCOMPRESSED = 4 * 1024**3  # every part together; a million-row sheet is a few hundred MB
XLSX_MAX_PART_IN_MEMORY = 256 * 1024**2  # parts other than worksheets (shared strings, styles) are read whole
XLSX_MAX_RATIO = 100  # real sheets compress 5-20 times; runs of zeros compress 1,000 times
XLSX_RATIO_FROM_BYTES = 16 * 1024**2  # small parts may compress well without harm


@dataclass
class Table:
    """An opened upload: its header mapping and an iterator of (line number, cells)."""

    kind: str  # "csv" or "xlsx"
    encoding: str
    delimiter: str
    columns: dict[str, int]
    rows: Iterator[tuple[int, list]]
    size: int
    _position: object = field(default=None, repr=False)  # callable → bytes read so far (CSV), for progress

    def fraction_read(self) -> float | None:
        if self._position is None or not self.size:
            return None
        return min(1.0, self._position() / self.size)


def _looks_like_text(text: str) -> bool:
    controls = sum(1 for char in text if char < " " and char not in "\t\r\n")
    return controls <= max(2, len(text) // 1000)


def sniff_encoding(head: bytes) -> str:
    """The encoding of a text table from its first bytes; ImportFileError when it is not text."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # the codec reads the BOM and picks the byte order
    candidates = ("utf-8", "gb18030")
    if b"\x00" in head:
        even, odd = head[0::2].count(0), head[1::2].count(0)
        pairs = max(1, len(head) // 2)
        if odd > 0.3 * pairs and even < 0.05 * pairs:
            candidates = ("utf-16-le",)
        elif even > 0.3 * pairs and odd < 0.05 * pairs:
            candidates = ("utf-16-be",)
        else:
            raise ImportFileError(_("This is a binary file, not a CSV or XLSX table."))
    for encoding in candidates:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            text = decoder.decode(head, final=False)
        except UnicodeDecodeError:
            continue
        if not _looks_like_text(text):
            raise ImportFileError(_("This is a binary file, not a CSV or XLSX table."))
        return encoding
    if candidates[0].startswith("utf-16"):
        raise ImportFileError(_("This is a binary file, not a CSV or XLSX table."))
    raise ImportFileError(_("This file is neither UTF-8, UTF-16 nor GBK/GB18030 text, nor an XLSX workbook."))


def _capped_lines(text: io.TextIOBase, encoding: str) -> Iterator[str]:
    number = 0
    while True:
        try:
            line = text.readline(MAX_LINE_CHARS + 1)
        except UnicodeDecodeError as error:
            raise ImportFileError(
                _("Line %(line)d cannot be read as %(encoding)s text; save the file as UTF-8 and try again.")
                % {"line": number + 1, "encoding": encoding}
            ) from error
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE_CHARS:
            raise ImportFileError(
                _("Line %(line)d is longer than %(limit)d characters: this is not a table of vehicles.")
                % {"line": number, "limit": MAX_LINE_CHARS}
            )
        yield line


def _delimiter(first_line: str) -> str:
    counts = {separator: first_line.count(separator) for separator in SEPARATORS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _csv_table(path: Path, size: int, head: bytes) -> Iterator[Table]:
    encoding = sniff_encoding(head)
    with path.open("rb") as raw:
        text = io.TextIOWrapper(raw, encoding=encoding, newline="", errors="strict")
        lines = _capped_lines(text, encoding)
        # Peek at the first non-blank line for the separator, then put it back in front of the rest.
        first = ""
        for first in lines:
            if first.strip():
                break
        if not first.strip():
            raise ImportFileError(_("The file has no rows."))
        delimiter = _delimiter(first)

        def all_lines():
            yield first
            yield from lines

        reader = csv.reader(all_lines(), delimiter=delimiter)
        try:
            header = next(reader)
        except csv.Error as error:
            raise ImportFileError(_("The header row cannot be read: %(error)s") % {"error": error}) from error
        columns = match_header(header)

        def rows():
            try:
                for cells in reader:
                    if cells and any(cells):
                        yield reader.line_num, cells
            except csv.Error as error:
                raise ImportFileError(
                    _("Line %(line)d is not valid CSV: %(error)s") % {"line": reader.line_num, "error": error}
                ) from error

        yield Table("csv", encoding, delimiter, columns, rows(), size, raw.tell)


def _xlsx_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    return str(value)


def check_xlsx_archive(path: Path) -> None:
    """Refuse a ZIP whose parts are too many, too large or compressed suspiciously well (ImportFileError)."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise ImportFileError(_("This XLSX file is damaged or is not an Excel workbook.")) from error
    bomb = ImportFileError(
        _("This XLSX file would unpack to far more data than a table of vehicles holds; it was refused.")
    )
    if len(members) > XLSX_MAX_MEMBERS:
        raise bomb
    if sum(member.file_size for member in members) > XLSX_MAX_UNCOMPRESSED:
        raise bomb
    for member in members:
        in_memory = not member.filename.startswith("xl/worksheets/")
        if in_memory and member.file_size > XLSX_MAX_PART_IN_MEMORY:
            raise bomb
        ratio = member.file_size / max(1, member.compress_size)
        if member.file_size > XLSX_RATIO_FROM_BYTES and ratio > XLSX_MAX_RATIO:
            raise bomb


def _xlsx_table(path: Path, size: int) -> Iterator[Table]:
    import openpyxl
    from defusedxml import DefusedXmlException
    from openpyxl.utils.exceptions import InvalidFileException

    check_xlsx_archive(path)
    damaged = _("This XLSX file is damaged or is not an Excel workbook.")
    handle = path.open("rb")  # a file object: openpyxl then does not insist on an .xlsx name
    try:
        workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, SyntaxError) as error:
        handle.close()  # SyntaxError: xml.etree's ParseError; DefusedXmlException is a ValueError
        raise ImportFileError(damaged) from error
    try:
        sheet = workbook.worksheets[0]
        values = _guarded(sheet.iter_rows(values_only=True), damaged, DefusedXmlException)
        header = None
        line = 0
        for line, cells in enumerate(values, start=1):  # noqa: B007 -- line is used after the loop
            if cells and any(cell not in (None, "") for cell in cells):
                header = [_xlsx_cell(cell) for cell in cells]
                break
        if header is None:
            raise ImportFileError(_("The file has no rows."))
        columns = match_header(header)
        first_data_line = line + 1

        def rows():
            for number, cells in enumerate(values, start=first_data_line):
                if cells and any(cell not in (None, "") for cell in cells):
                    yield number, [_xlsx_cell(cell) for cell in cells]

        yield Table("xlsx", "xlsx", "", columns, rows(), size)
    finally:
        workbook.close()
        handle.close()


def _guarded(rows, message: str, *errors) -> Iterator:
    """The rows, with XML trouble met while reading them (a forbidden entity, broken XML) as ImportFileError."""
    try:
        yield from rows
    except (*errors, SyntaxError, zipfile.BadZipFile, KeyError, ValueError, EOFError) as error:
        raise ImportFileError(message) from error


@contextmanager
def open_table(path, *, name: str = "") -> Iterator[Table]:
    """Open an uploaded CSV / XLSX file as a Table; ImportFileError (translated message) when it is not one."""
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        raise ImportFileError(_("The file is empty."))
    if size > MAX_UPLOAD_BYTES:
        raise ImportFileError(_("The file is larger than %(limit)d MB.") % {"limit": MAX_UPLOAD_BYTES // (1024 * 1024)})
    with path.open("rb") as probe:
        head = probe.read(SNIFF_BYTES)
    if head.startswith(ZIP_MAGIC):
        yield from _xlsx_table(path, size)
    elif name.lower().endswith((".xlsx", ".xlsm")):
        raise ImportFileError(_("This .xlsx file is not an Excel workbook (it is not a ZIP archive)."))
    else:
        yield from _csv_table(path, size, head)


def check_upload(path, *, name: str = "") -> Table | None:
    """Quick check at upload time: kind, encoding and header row. Raises ImportFileError; reads only the start."""
    with open_table(path, name=name) as table:
        return table
