"""Writes of supply reports: one month at a time (form, API) or many from a CSV file, all or nothing."""

from __future__ import annotations

import contextlib
import csv
import datetime
import io
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import SupplyReport

MAX_FILE_BYTES = 1_000_000
MAX_ROWS = 1200  # a century of months: anything longer is not a supply report
MONTH_PATTERN = re.compile(r"^\s*(\d{4})[-/.](\d{1,2})(?:[-/.]\d{1,2})?\s*$")
HEADERS = {
    "month": {"month", "period", "月份", "เดือน", "الشهر"},
    "total_value": {"total", "total_value", "all", "purchases", "合计", "总额", "ยอดรวม", "المجموع"},
    "local_value": {"local", "local_value", "from_local", "本地", "ในประเทศ", "محلي"},
    "currency": {"currency", "币种", "สกุลเงิน", "العملة"},
    "note": {"note", "notes", "备注", "หมายเหตุ", "ملاحظة"},
}


def month_start(value: datetime.date) -> datetime.date:
    """The first day of the month of a date."""
    return value.replace(day=1)


def month_parse(text: str) -> datetime.date:
    """`2026-07`, `2026/7` or `2026-07-01` → the first day of that month."""
    match = MONTH_PATTERN.match(text or "")
    if not match:
        raise ValidationError(_("“%(value)s” is not a month: write it as YYYY-MM.") % {"value": text})
    year, month = int(match[1]), int(match[2])
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise ValidationError(_("“%(value)s” is not a month: write it as YYYY-MM.") % {"value": text})
    return datetime.date(year, month, 1)


def _validate(*, month: datetime.date, total_value: Decimal, local_value: Decimal) -> None:
    errors = {}
    if month > month_start(timezone.localdate()):
        errors["month"] = _("A month that has not begun cannot be reported.")
    if total_value < 0:
        errors["total_value"] = _("Purchases cannot be negative.")
    if local_value < 0:
        errors["local_value"] = _("Purchases cannot be negative.")
    elif local_value > total_value:
        errors["local_value"] = _("Local purchases cannot exceed all purchases.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def supply_report_save(
    *,
    month: datetime.date,
    total_value: Decimal,
    local_value: Decimal,
    currency: str = "CNY",
    note: str = "",
    by=None,
) -> SupplyReport:
    """Create or replace the report of one month (a month is reported once; a correction replaces it)."""
    month = month_start(month)
    _validate(month=month, total_value=total_value, local_value=local_value)
    report, _created = SupplyReport.objects.update_or_create(
        month=month,
        defaults={
            "total_value": total_value,
            "local_value": local_value,
            "currency": (currency or "CNY").upper()[:3],
            "note": note[:300],
            "reported_by": by,
        },
    )
    return report


def supply_report_delete(*, report: SupplyReport) -> None:
    """Remove a month's report (its statistics are recomputed on the next run)."""
    report.delete()


def _column_map(header: list[str]) -> dict[str, int]:
    found = {}
    for index, name in enumerate(header):
        key = re.sub(r"[\s\-]+", "_", name.strip().lower().lstrip("\ufeff"))
        for field, aliases in HEADERS.items():
            if key in aliases and field not in found:
                found[field] = index
    missing = [field for field in ("month", "total_value", "local_value") if field not in found]
    if missing:
        raise ValidationError(
            _("The file needs the columns month, total and local; missing: %(missing)s.")
            % {"missing": ", ".join(missing)}
        )
    return found


def _decimal(text: str, *, delimiter: str = ",") -> Decimal:
    """A number as spreadsheets write it: `1,000.50`, `1.000,50`, or `1000,50` in a semicolon file."""
    raw = (text or "").replace(" ", "").replace("\u00a0", "")
    if "," in raw and "." in raw:
        decimal_mark = "," if raw.rfind(",") > raw.rfind(".") else "."
        raw = raw.replace("." if decimal_mark == "," else ",", "").replace(",", ".")
    elif raw.count(",") == 1 and delimiter != ",":
        raw = raw.replace(",", ".")  # European files: the comma is the decimal mark
    else:
        raw = raw.replace(",", "")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValidationError(_("“%(value)s” is not a number.") % {"value": text[:40]}) from None
    if not value.is_finite():
        raise ValidationError(_("“%(value)s” is not a number.") % {"value": text[:40]})
    return value


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(_("The file is not text in UTF-8 or GB18030."))


def supply_reports_import(*, raw: bytes, by=None) -> list[SupplyReport]:
    """Save every month of a CSV file, or none: a bad row raises with its line number and reason."""
    if not raw.strip():
        raise ValidationError(_("The file is empty."))
    if len(raw) > MAX_FILE_BYTES:
        raise ValidationError(_("The file is larger than 1 MB; a supply report has one row per month."))
    if b"\x00" in raw[:4096]:
        raise ValidationError(_("This is not a CSV file."))
    text = _decode(raw)
    dialect = csv.excel
    with contextlib.suppress(csv.Error):  # one column or odd quoting: plain commas
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    rows = list(csv.reader(io.StringIO(text), dialect))
    if len(rows) > MAX_ROWS + 1:
        raise ValidationError(_("The file has more than %(n)s rows.") % {"n": MAX_ROWS})
    columns = _column_map(rows[0])
    parsed, problems, seen = [], [], {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cell = {field: (row[index] if index < len(row) else "").strip() for field, index in columns.items()}
        try:
            month = month_parse(cell["month"])
            values = {
                "month": month,
                "total_value": _decimal(cell["total_value"], delimiter=dialect.delimiter),
                "local_value": _decimal(cell["local_value"], delimiter=dialect.delimiter),
            }
            _validate(**values)
        except ValidationError as error:
            problems.append(_("line %(line)s: %(reason)s") % {"line": line, "reason": " ".join(error.messages)})
            continue
        if month in seen:
            problems.append(
                _("line %(line)s: %(month)s is also on line %(other)s.")
                % {"line": line, "month": f"{month:%Y-%m}", "other": seen[month]}
            )
            continue
        seen[month] = line
        parsed.append({**values, "currency": cell.get("currency", "") or "CNY", "note": cell.get("note", "")})
    if problems:
        raise ValidationError(problems[:50])
    if not parsed:
        raise ValidationError(_("The file has no rows below its header."))
    with transaction.atomic():
        return [supply_report_save(**values, by=by) for values in parsed]
