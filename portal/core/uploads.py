"""The one reader of uploaded tables (CSV / XLSX): every upload of the portal goes through `open_table`.

It sniffs the kind, encoding and separator of a file, then yields its rows one by one. Memory stays flat
whatever the file size: text is decoded incrementally, each line is capped, and XLSX is read with openpyxl's
read-only (SAX) mode after its ZIP directory has been checked for decompression bombs; its XML is parsed by
defusedxml (openpyxl uses it when it is installed), so entities are refused, never expanded.

A file that is not a readable table raises `UploadError` (a ValidationError with one translated message);
callers put it on their form's file field or answer 400. The meaning of the columns is the caller's business:
the reader gives the header row (the first non-blank row) and the rows below it.
"""

import codecs
import csv
import datetime
import decimal
import io
import os
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_UPLOAD_BYTES = 2 * 1024**3  # 2 GB by default: over this, the upload is refused before anything is read
MAX_LINE_CHARS = 10_000  # a table row is a few hundred characters; a longer line is not a table row
SNIFF_BYTES = 64 * 1024
SEPARATORS = (",", ";", "\t", "|")
ZIP_MAGIC = b"PK\x03\x04"
# An XLSX file is a ZIP archive: before openpyxl opens it, its directory is checked so that a small upload
# cannot unpack into gigabytes (a decompression bomb). Python's zipfile never inflates a member past the size
# the directory declares, so checking the declared sizes is enough.
XLSX_MAX_MEMBERS = 1_000
XLSX_MAX_UNCOMPRESSED = 4 * 1024**3  # every part together; a million-row sheet is a few hundred MB
XLSX_MAX_PART_IN_MEMORY = 256 * 1024**2  # parts other than worksheets (shared strings, styles) are read whole
XLSX_MAX_RATIO = 100  # real sheets compress 5-20 times; runs of zeros compress 1,000 times
XLSX_RATIO_FROM_BYTES = 16 * 1024**2  # small parts may compress well without harm


class UploadError(ValidationError):
    """The upload is not a table we can read (empty, too big, binary, unknown encoding, over-long line, bomb...).

    One user-facing, translated message; nothing has been written.
    """

    def __init__(self, message: str):
        super().__init__(message, code="upload")

    def __str__(self) -> str:
        return self.message


@dataclass
class Table:
    """An opened upload: its header row and an iterator of (line number, cells) below it."""

    kind: str  # "csv" or "xlsx"
    encoding: str
    delimiter: str
    header: list[str]
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
    """The encoding of a text table from its first bytes: UTF-8 (BOM), UTF-16 (BOM or NUL pattern), GB18030/GBK."""
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
            raise UploadError(_("This is a binary file, not a CSV or XLSX table."))
    for encoding in candidates:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            text = decoder.decode(head, final=False)
        except UnicodeDecodeError:
            continue
        if not _looks_like_text(text):
            raise UploadError(_("This is a binary file, not a CSV or XLSX table."))
        return encoding
    if candidates[0].startswith("utf-16"):
        raise UploadError(_("This is a binary file, not a CSV or XLSX table."))
    raise UploadError(_("This file is neither UTF-8, UTF-16 nor GBK/GB18030 text, nor an XLSX workbook."))


def _capped_lines(text: io.TextIOBase, encoding: str, limit: int) -> Iterator[str]:
    number = 0
    while True:
        try:
            line = text.readline(limit + 1)
        except UnicodeDecodeError as error:
            raise UploadError(
                _("Line %(line)d cannot be read as %(encoding)s text; save the file as UTF-8 and try again.")
                % {"line": number + 1, "encoding": encoding}
            ) from error
        if not line:
            return
        number += 1
        if len(line) > limit:
            raise UploadError(
                _("Line %(line)d is longer than %(limit)d characters: this is not a table.")
                % {"line": number, "limit": limit}
            )
        yield line


def _delimiter(first_line: str) -> str:
    counts = {separator: first_line.count(separator) for separator in SEPARATORS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def decimal_parse(text: str, *, delimiter: str = ",") -> decimal.Decimal:
    """A number as spreadsheets write it: `1,000.50`, `1.000,50`, or `1000,50` in a file not separated by commas.

    Raises ValidationError for anything else (NaN and infinities included).
    """
    raw = (text or "").replace(" ", "").replace("\u00a0", "")
    if "," in raw and "." in raw:
        decimal_mark = "," if raw.rfind(",") > raw.rfind(".") else "."
        raw = raw.replace("." if decimal_mark == "," else ",", "").replace(",", ".")
    elif raw.count(",") == 1 and delimiter != ",":
        raw = raw.replace(",", ".")  # European files: the comma is the decimal mark
    else:
        raw = raw.replace(",", "")
    try:
        value = decimal.Decimal(raw)
    except decimal.InvalidOperation:
        raise ValidationError(_("“%(value)s” is not a number.") % {"value": (text or "")[:40]}) from None
    if not value.is_finite():
        raise ValidationError(_("“%(value)s” is not a number.") % {"value": text[:40]})
    return value


@contextmanager
def _binary(source) -> Iterator:
    """A binary handle on the upload: a path is opened (and closed); a file object is rewound and left open."""
    if isinstance(source, str | os.PathLike):
        with Path(source).open("rb") as handle:
            yield handle
        return
    handle = getattr(source, "file", source)  # Django's UploadedFile / File wrap the real stream
    handle.seek(0)
    yield handle


def _size(source) -> int:
    if isinstance(source, str | os.PathLike):
        return Path(source).stat().st_size
    size = getattr(source, "size", None)
    if size is None:
        handle = getattr(source, "file", source)
        handle.seek(0, io.SEEK_END)
        size = handle.tell()
    return size


def _csv_table(source, size: int, head: bytes, line_limit: int) -> Iterator[Table]:
    encoding = sniff_encoding(head)
    with _binary(source) as raw:
        text = io.TextIOWrapper(raw, encoding=encoding, newline="", errors="strict")
        try:
            lines = _capped_lines(text, encoding, line_limit)
            # Peek at the first non-blank line for the separator, then put it back in front of the rest.
            first = ""
            for first in lines:
                if first.strip():
                    break
            if not first.strip():
                raise UploadError(_("The file has no rows."))
            delimiter = _delimiter(first)

            def all_lines():
                yield first
                yield from lines

            reader = csv.reader(all_lines(), delimiter=delimiter)
            try:
                header = next(reader)
            except csv.Error as error:
                raise UploadError(_("The header row cannot be read: %(error)s") % {"error": error}) from error

            def rows():
                try:
                    for cells in reader:
                        if cells and any(cells):
                            yield reader.line_num, cells
                except csv.Error as error:
                    raise UploadError(
                        _("Line %(line)d is not valid CSV: %(error)s") % {"line": reader.line_num, "error": error}
                    ) from error

            yield Table("csv", encoding, delimiter, header, rows(), size, raw.tell)
        finally:
            text.detach()  # the wrapper must not close a file object the caller owns


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


def xlsx_archive_check(source) -> None:
    """Refuse a ZIP whose parts are too many, too large or compressed suspiciously well (UploadError)."""
    try:
        with _binary(source) as handle, zipfile.ZipFile(handle) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise UploadError(_("This XLSX file is damaged or is not an Excel workbook.")) from error
    bomb = UploadError(_("This XLSX file would unpack to far more data than a table holds; it was refused."))
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


def _xlsx_table(source, size: int, all_sheets: bool) -> Iterator[Table]:
    import openpyxl
    from defusedxml import DefusedXmlException
    from openpyxl.utils.exceptions import InvalidFileException

    xlsx_archive_check(source)
    damaged = _("This XLSX file is damaged or is not an Excel workbook.")
    with _binary(source) as handle:  # a file object: openpyxl then does not insist on an .xlsx name
        try:
            workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, SyntaxError) as error:
            # SyntaxError: xml.etree's ParseError; DefusedXmlException is a ValueError
            raise UploadError(damaged) from error
        try:
            sheets = workbook.worksheets if all_sheets else workbook.worksheets[:1]
            values = _guarded(
                chain.from_iterable(sheet.iter_rows(values_only=True) for sheet in sheets), damaged, DefusedXmlException
            )
            header = None
            line = 0
            for line, cells in enumerate(values, start=1):  # noqa: B007 -- line is used after the loop
                if cells and any(cell not in (None, "") for cell in cells):
                    header = [_xlsx_cell(cell) for cell in cells]
                    break
            if header is None:
                raise UploadError(_("The file has no rows."))
            first_data_line = line + 1

            def rows():
                for number, cells in enumerate(values, start=first_data_line):
                    if cells and any(cell not in (None, "") for cell in cells):
                        yield number, [_xlsx_cell(cell) for cell in cells]

            yield Table("xlsx", "xlsx", "", header, rows(), size)
        finally:
            workbook.close()


def _guarded(rows, message: str, *errors) -> Iterator:
    """The rows, with XML trouble met while reading them (a forbidden entity, broken XML) as UploadError."""
    try:
        yield from rows
    except (*errors, SyntaxError, zipfile.BadZipFile, KeyError, ValueError, EOFError) as error:
        raise UploadError(message) from error


@contextmanager
def open_table(
    source,
    *,
    name: str = "",
    max_bytes: int = MAX_UPLOAD_BYTES,
    max_line_chars: int = MAX_LINE_CHARS,
    all_sheets: bool = False,
) -> Iterator[Table]:
    """Open an uploaded CSV / XLSX file (a path, an UploadedFile or a binary stream) as a Table.

    Raises UploadError when it is not one; errors met further down the file are raised while iterating the rows.
    XLSX: the first sheet, or every sheet one after the other with `all_sheets`.
    """
    size = _size(source)
    if size == 0:
        raise UploadError(_("The file is empty."))
    if size > max_bytes:
        raise UploadError(_("The file is larger than %(limit)d MB.") % {"limit": max(1, max_bytes // (1024 * 1024))})
    with _binary(source) as probe:
        head = probe.read(SNIFF_BYTES)
    if head.startswith(ZIP_MAGIC):
        yield from _xlsx_table(source, size, all_sheets)
    elif name.lower().endswith((".xlsx", ".xlsm")):
        raise UploadError(_("This .xlsx file is not an Excel workbook (it is not a ZIP archive)."))
    else:
        yield from _csv_table(source, size, head, max_line_chars)


def upload_check(source, *, name: str = "", max_bytes: int = MAX_UPLOAD_BYTES) -> list[str]:
    """Quick check at upload time: kind, encoding and header row (returned). Raises UploadError; reads the start."""
    with open_table(source, name=name, max_bytes=max_bytes) as table:
        return table.header
