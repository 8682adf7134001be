"""Reading VINs out of what people paste or upload (a list, a CSV / TXT / XLSX file): parsing only, no writes."""

from __future__ import annotations

import re
from itertools import chain

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from portal.core.uploads import UploadError, open_table

from .shipments import MAX_VEHICLES_PER_CALL

VIN_PATTERN = re.compile(r"\b[A-HJ-NPR-Z0-9]{17}\b")
MAX_VIN_FILE_BYTES = 20 * 1024 * 1024  # 50,000 VINs with a few other columns fit many times over


def vins_from_text(text: str) -> list[str]:
    """Every VIN-shaped token of a text (one per line, comma-separated, anything), upper-cased, in order, once."""
    return list(dict.fromkeys(VIN_PATTERN.findall((text or "").upper())))


def vins_from_file(file) -> list[str]:
    """The VINs of an uploaded CSV, TXT or XLSX file (any cell of any column or sheet; each VIN once).

    Read by the platform's upload reader; a file that is not a table, or that holds more VINs than a shipment
    takes at a time, raises ValidationError on `file`.
    """
    found: dict[str, None] = {}
    try:
        with open_table(
            file, name=getattr(file, "name", "") or "", max_bytes=MAX_VIN_FILE_BYTES, all_sheets=True
        ) as table:
            for cells in chain([table.header], (cells for _line, cells in table.rows)):
                for vin in VIN_PATTERN.findall(" ".join(str(cell) for cell in cells).upper()):
                    found[vin] = None
                if len(found) > MAX_VEHICLES_PER_CALL:
                    raise ValidationError(
                        {"file": _("At most %(limit)d vehicles at a time.") % {"limit": MAX_VEHICLES_PER_CALL}}
                    )
    except UploadError as error:
        raise ValidationError({"file": str(error)}) from error
    return list(found)
