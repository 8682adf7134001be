"""A corpus of hostile input: text that attacks pages and spreadsheets, and files that attack the readers.

Everything is built here (small, deterministic) rather than stored: a 5 MB decompression bomb is 5 KB of code.
"""

import io
import zipfile

from ..vehicles.import_samples import HEADER, csv_bytes, xlsx_bytes

XSS_MARK = "xss-probe"
# Each must come back escaped: these exact raw substrings may never appear in a page.
XSS = [
    f'"><script>alert("{XSS_MARK}")</script>',
    f"<img src=x onerror=alert('{XSS_MARK}')>",
    f"<svg/onload=alert('{XSS_MARK}')>",
    f"javascript:alert('{XSS_MARK}')//<a href=x>",
    "{{ 7|add:7 }}{% debug %}",
]
RAW_XSS = [
    f'<script>alert("{XSS_MARK}")',
    f"<img src=x onerror=alert('{XSS_MARK}')",
    f"<svg/onload=alert('{XSS_MARK}')",
]
FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1"]
UNICODE = [
    "\u202etxt.exe",  # right-to-left override
    "a\u200bb\u200cc\u200dd\ufeff",  # zero-width characters and a BOM
    "Thunder 🚗⚡ e-bike 电动车 ดี مرحبا",  # emoji, CJK, Thai, Arabic
    "e\u0301\u0301\u0301\u0301 Zalgo",  # combining marks
    "\U0001f468\u200d\U0001f469\u200d\U0001f467",  # a ZWJ family emoji
]
CONTROL = ["nul\x00byte", "line\r\nbreak", "bell\x07"]
LONG = "L" * 5000
NEGATIVE_NUMBERS = ["-1", "-0.01", "-999999999999", "1e309", "NaN"]
INVALID_DATES = ["2025-02-30", "0000-00-00", "99999-01-01", "2025-13-01", "yesterday", "2025-02-29"]


def hostile_strings() -> list[str]:
    return [*XSS, *FORMULAS, *UNICODE, *CONTROL, LONG]


# Files -----------------------------------------------------------------------------------------------------------


def zip_bomb_xlsx(inflated_mb: int = 64) -> bytes:
    """A valid-looking XLSX whose worksheet inflates from ~60 KB to `inflated_mb` MB of zeros."""
    genuine = zipfile.ZipFile(io.BytesIO(xlsx_bytes([("LAL", "m", "2025-01-01", "p")])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for item in genuine.infolist():
            data = genuine.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = (
                    data[: data.index(b"</sheetData>")]
                    + b" " * (inflated_mb * 1024**2)
                    + data[data.index(b"</sheetData>") :]
                )
            bomb.writestr(item.filename, data)
    return buffer.getvalue()


def shared_strings_bomb_xlsx() -> bytes:
    """Shared strings (read into memory whole) declared at 300 MB."""
    genuine = zipfile.ZipFile(io.BytesIO(xlsx_bytes([("LAL", "m", "2025-01-01", "p")])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for item in genuine.infolist():
            bomb.writestr(item.filename, genuine.read(item))
        bomb.writestr("xl/sharedStrings.xml", b"<sst>" + b"\x20" * (300 * 1024**2) + b"</sst>")
    return buffer.getvalue()


def many_parts_xlsx(parts: int = 2000) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for index in range(parts):
            archive.writestr(f"xl/junk/{index}.xml", b"<a/>")
    return buffer.getvalue()


def entity_bomb_xlsx() -> bytes:
    """A worksheet whose XML declares nested entities (billion laughs): defusedxml refuses any entity."""
    genuine = zipfile.ZipFile(io.BytesIO(xlsx_bytes([("LAL", "m", "2025-01-01", "p")])))
    entities = ['<!ENTITY e0 "lol">'] + [f'<!ENTITY e{i} "{f"&e{i - 1};" * 10}">' for i in range(1, 10)]
    doctype = f"<!DOCTYPE worksheet [{''.join(entities)}]>".encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in genuine.infolist():
            data = genuine.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                declaration, _mark, body = data.partition(b"?>") if data.startswith(b"<?xml") else (b"", b"", data)
                data = declaration + _mark + doctype + body.replace(b"<v>", b"<v>&e9;", 1)
            bomb.writestr(item.filename, data)
    return buffer.getvalue()


def damaged_xlsx() -> bytes:
    return xlsx_bytes([("LAL", "m", "2025-01-01", "p")])[:700]


HOSTILE_FILES = {
    "zip bomb (worksheet)": ("bomb.xlsx", zip_bomb_xlsx),
    "zip bomb (shared strings)": ("strings.xlsx", shared_strings_bomb_xlsx),
    "zip with thousands of parts": ("parts.xlsx", many_parts_xlsx),
    "truncated workbook": ("cut.xlsx", damaged_xlsx),
    "XML entity bomb": ("laughs.xlsx", entity_bomb_xlsx),
    "PNG renamed .csv": ("photo.csv", lambda: b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40),
    "PDF renamed .xlsx": ("doc.xlsx", lambda: b"%PDF-1.4\n" + b"x" * 2000),
    "Latin-1 with accents": (
        "latin1.csv",
        lambda: "vin,model\nLAL,Modèle été\n".encode("latin-1") + bytes([0xE9, 0xFF]) * 3,
    ),
    "UTF-8 turning invalid mid-file": (
        "mixed.csv",
        lambda: csv_bytes([("LAL", "m", "2025-01-01", "p")] * 3) + b"\xff\xfe\xfa broken\r\n",
    ),
    "UTF-8 turning invalid after the first 64 KB": (
        "late.csv",
        lambda: csv_bytes([("LAL", "m", "2025-01-01", "p")] * 6000) + b"\xff\xfe\xfa broken\r\n",
    ),
    "one endless line": ("line.csv", lambda: b"vin," + b"A" * 20_000 + b"\n"),
    "header only": ("header.csv", lambda: (",".join(HEADER) + "\n").encode()),
    "UTF-16 without BOM, odd length": ("u16.csv", lambda: "vin,model\n".encode("utf-16-le") + b"\x00"),
}

# Their trouble shows past the part read at upload: the job is stored, and its run fails with the reason.
FAILS_WHEN_RUN = {"header only", "UTF-8 turning invalid after the first 64 KB"}
