"""Writes of supply reports: one month at a time (form, API) or many from a CSV / XLSX file, all or nothing."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.core.uploads import UploadError, decimal_parse, open_table

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


def supply_reports_import(*, file, by=None) -> list[SupplyReport]:
    """Save every month of a CSV / XLSX file (an upload, a path or a binary stream), or none.

    The file is read by the platform's upload reader (encodings, separators, size and line limits); a bad row
    raises ValidationError with its line number and reason.
    """
    try:
        with open_table(file, name=getattr(file, "name", "") or "", max_bytes=MAX_FILE_BYTES) as table:
            columns = _column_map(table.header)
            delimiter = table.delimiter
            rows = []
            for line, row in table.rows:
                if len(rows) >= MAX_ROWS:
                    raise ValidationError(_("The file has more than %(n)s rows.") % {"n": MAX_ROWS})
                rows.append((line, row))
    except UploadError as error:
        raise ValidationError(str(error)) from error
    parsed, problems, seen = [], [], {}
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        cell = {field: (row[index] if index < len(row) else "").strip() for field, index in columns.items()}
        try:
            month = month_parse(cell["month"])
            values = {
                "month": month,
                "total_value": decimal_parse(cell["total_value"], delimiter=delimiter),
                "local_value": decimal_parse(cell["local_value"], delimiter=delimiter),
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
