"""QR codes of battery passports (segno): one per battery (SVG or PNG), and printable sheets of many, streamed."""

import io
from collections.abc import Iterable, Iterator
from urllib.parse import quote
from xml.sax.saxutils import escape

import segno
from django.conf import settings

# Error correction M (15 %) survives a scuffed label; the passport URL stays short enough for a small version.
ERROR = "m"
PNG_SCALE = 8
QUIET_ZONE = 4  # modules of white around the code, as ISO/IEC 18004 asks

# A sheet is A4 portrait in millimetres: COLUMNS × ROWS labels, the identifier printed under each code.
PAGE_WIDTH, PAGE_HEIGHT = 210, 297
MARGIN = 10
COLUMNS, ROWS = 4, 6
PER_PAGE = COLUMNS * ROWS
CELL_WIDTH = (PAGE_WIDTH - 2 * MARGIN) / COLUMNS
CELL_HEIGHT = (PAGE_HEIGHT - 2 * MARGIN) / ROWS
CODE_SIZE = 30  # mm, quiet zone included; ISO/IEC 15459 labels are rarely smaller than 2 cm
LABEL_SIZE = 2.8  # mm text height of the identifier
# One request's sheet holds at most this many codes: about 420 pages, a few megabytes streamed.
SHEET_LIMIT = 10_000


def passport_url(identifier: str) -> str:
    """The public passport page an identifier's QR code points to, built from settings (never from a request).

    The printed code must outlive any development setup: HTTPS on the portal's public domain; only a plain-HTTP
    development server on a non-standard port gets its port.
    """
    scheme = settings.PORTAL_SCHEME
    port = settings.PORTAL_PORT
    suffix = f":{port}" if scheme == "http" and port not in ("", "80") else ""
    return f"{scheme}://{settings.PORTAL_DOMAIN}{suffix}/passport/{quote(identifier, safe='')}/"


def qr_make(identifier: str) -> segno.QRCode:
    """The QR code of one battery's passport URL."""
    return segno.make(passport_url(identifier), error=ERROR, micro=False)


def qr_svg(identifier: str) -> bytes:
    """One battery's QR code as a standalone SVG (scalable, for label printers and documents)."""
    out = io.BytesIO()
    qr_make(identifier).save(out, kind="svg", scale=4, border=QUIET_ZONE, title=identifier, nl=False)
    return out.getvalue()


def qr_png(identifier: str, *, scale: int = PNG_SCALE) -> bytes:
    """One battery's QR code as a PNG (segno writes PNG itself, no imaging library)."""
    out = io.BytesIO()
    qr_make(identifier).save(out, kind="png", scale=scale, border=QUIET_ZONE)
    return out.getvalue()


def _code_path(qr: segno.QRCode) -> tuple[str, int]:
    """(the path data of a code's dark modules, its width in modules without quiet zone)."""
    out = io.BytesIO()
    qr.save(out, kind="svg", xmldecl=False, svgns=False, nl=False, border=0, svgclass=None, lineclass=None)
    svg = out.getvalue().decode()
    start = svg.index(' d="') + 4
    return svg[start : svg.index('"', start)], qr.symbol_size(border=0)[0]


def _label(identifier: str, x: float, y: float) -> str:
    return (
        f'<text x="{x:.2f}" y="{y:.2f}" font-family="monospace" font-size="{LABEL_SIZE}" '
        f'text-anchor="middle">{escape(identifier)}</text>'
    )


def _cell(identifier: str, index: int) -> str:
    """One label of a sheet: the code centred in its cell, the identifier under it."""
    page, slot = divmod(index, PER_PAGE)
    row, column = divmod(slot, COLUMNS)
    left = MARGIN + column * CELL_WIDTH
    top = page * PAGE_HEIGHT + MARGIN + row * CELL_HEIGHT
    path, modules = _code_path(qr_make(identifier))
    full = modules + 2 * QUIET_ZONE
    scale = CODE_SIZE / full
    x = left + (CELL_WIDTH - CODE_SIZE) / 2
    y = top + (CELL_HEIGHT - CODE_SIZE - LABEL_SIZE * 2) / 2
    offset_x, offset_y = x + QUIET_ZONE * scale, y + QUIET_ZONE * scale
    return (
        f'<g transform="translate({offset_x:.3f} {offset_y:.3f}) scale({scale:.5f})">'
        f'<path stroke="#000" d="{path}"/></g>'
        + _label(identifier, left + CELL_WIDTH / 2, y + CODE_SIZE + LABEL_SIZE * 1.2)
    )


def qr_sheet_svg(identifiers: Iterable[str], *, count: int) -> Iterator[bytes]:
    """A sheet of labels as one SVG, A4 pages stacked top to bottom, yielded label by label (streamable).

    `count` is how many identifiers will come (at most SHEET_LIMIT; the caller caps it), so the document's height
    is known before the first code is drawn.
    """
    pages = max(1, -(-count // PER_PAGE))
    height = pages * PAGE_HEIGHT
    yield (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{PAGE_WIDTH}mm" height="{height}mm" '
        f'viewBox="0 0 {PAGE_WIDTH} {height}">'
        f'<rect width="{PAGE_WIDTH}" height="{height}" fill="#fff"/>'
    ).encode()
    for page in range(1, pages):  # a thin cut line between pages
        y = page * PAGE_HEIGHT
        yield f'<line x1="0" x2="{PAGE_WIDTH}" y1="{y}" y2="{y}" stroke="#ccc" stroke-width="0.2"/>'.encode()
    for index, identifier in enumerate(identifiers):
        if index >= count:
            break
        yield _cell(identifier, index).encode()
    yield b"</svg>\n"
