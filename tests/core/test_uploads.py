"""The platform's upload reader: encodings, separators, limits, numbers, and paths or file objects alike."""

import decimal
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.core.uploads import UploadError, decimal_parse, open_table

ROWS = [["vin", "model"], ["LAL0000000000001", "Thunder 电动"], ["LAL0000000000002", "Spark"]]


def _read(source, **options) -> tuple[str, str, list]:
    with open_table(source, **options) as table:
        return table.encoding, table.delimiter, [table.header, *(cells for _line, cells in table.rows)]


def _text(separator: str) -> str:
    return "\r\n".join(separator.join(row) for row in ROWS) + "\r\n"


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        (_text(",").encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + _text(",").encode("utf-8"), "utf-8-sig"),
        (_text(",").encode("gbk"), "gb18030"),
        (_text(",").encode("utf-16"), "utf-16"),
        (_text(",").encode("utf-16-le"), "utf-16-le"),
        (_text(",").encode("utf-16-be"), "utf-16-be"),
    ],
    ids=["utf-8", "utf-8 BOM", "GBK", "UTF-16 BOM", "UTF-16 LE", "UTF-16 BE"],
)
def test_encodings_are_detected(raw, encoding):
    assert _read(io.BytesIO(raw)) == (encoding, ",", ROWS)


@pytest.mark.parametrize("separator", [",", ";", "\t", "|"])
def test_separators_are_detected(separator):
    assert _read(io.BytesIO(_text(separator).encode()))[1:] == (separator, ROWS)


def test_a_path_an_upload_and_a_stream_read_alike(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(_text(";").encode())
    upload = SimpleUploadedFile("t.csv", _text(";").encode())
    assert _read(path) == _read(upload) == _read(io.BytesIO(_text(";").encode()))
    assert not upload.closed, "the reader leaves the caller's file open"


def test_limits_give_clear_translated_errors():
    with pytest.raises(UploadError, match="larger than 1 MB"):
        _read(io.BytesIO(b"a,b\n" * 300_000), max_bytes=1024 * 1024)
    with pytest.raises(UploadError, match="Line 2 is longer than 50 characters"):
        _read(io.BytesIO(b"a,b\n" + b"x" * 60 + b"\n"), max_line_chars=50)
    with pytest.raises(UploadError, match="empty"):
        _read(io.BytesIO(b""))
    with pytest.raises(UploadError) as refused:
        _read(io.BytesIO(b"\x00\x01\x02" * 100))
    assert isinstance(refused.value, ValidationError) and refused.value.messages == [str(refused.value)]


@pytest.mark.parametrize(
    ("text", "delimiter", "value"),
    [
        ("1,000.50", ",", "1000.50"),
        ("1.000,50", ";", "1000.50"),
        ("1000,50", ";", "1000.50"),
        ("1,000", ",", "1000"),
        ("1 234,5", "\t", "1234.5"),
    ],
)
def test_decimal_commas(text, delimiter, value):
    assert decimal_parse(text, delimiter=delimiter) == decimal.Decimal(value)


@pytest.mark.parametrize("text", ["NaN", "Infinity", "abc", ""])
def test_what_is_not_a_number_is_refused(text):
    with pytest.raises(ValidationError):
        decimal_parse(text)
