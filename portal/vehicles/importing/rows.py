"""Python-side checks of one row while streaming: VIN rules, model, dates, status, country, lengths.

Each row becomes one staging tuple; a row with problems carries every one of them (three parallel arrays: column,
value, reason) and is rejected later in SQL together with the duplicates found there. Warnings (an advisory VIN
check digit outside CN / US / CA / MX, a WMI not in the register) ride along in three more arrays.
"""

import datetime
import re

from django.utils.translation import gettext as _
from django_countries import countries

from ..choices import VehicleStatus
from ..rxswin import rxswin_problem
from ..vin import vin_check
from .headers import in_every_language, normalise

STAGE_COLUMNS = (
    "line",
    "vin",
    "model_id",
    "production_date",
    "plant",
    "status",
    "registration_country",
    "registration_region",
    "plate",
    "registration_date",
    "rxswin",
    "err_column",
    "err_value",
    "err_reason",
    "warn_column",
    "warn_value",
    "warn_reason",
)
MAX_LENGTHS = {"plant": 120, "registration_region": 80, "plate": 20}
CACHE_LIMIT = 20_000  # cached parses of dates, models and countries; cleared when full so memory stays flat

_DATE_PATTERNS = (
    # ISO and year-first with / or . : 2025-03-01, 2025/3/1, 2025.03.01, 2025年3月1日
    (re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$"), ("y", "m", "d")),
    # day-first, as written in Europe and most markets: 01.03.2025, 01/03/2025, 1-3-2025
    (re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$"), ("d", "m", "y")),
    # compact: 20250301
    (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), ("y", "m", "d")),
)

STATUS_NAMES = {
    **{value: value for value in VehicleStatus.values},
    "已生产": VehicleStatus.PRODUCED,
    "生产": VehicleStatus.PRODUCED,
    "已注册": VehicleStatus.REGISTERED,
    "已上牌": VehicleStatus.REGISTERED,
    "已出口": VehicleStatus.EXPORTED,
    "出口": VehicleStatus.EXPORTED,
    "已注销": VehicleStatus.DEREGISTERED,
    "注销": VehicleStatus.DEREGISTERED,
}


def parse_date(raw: str) -> datetime.date | None:
    """A date in ISO or a common format (2025/03/01, 01.03.2025, 20250301, 2025年3月1日); None if not one."""
    text = raw.strip()
    if len(text) == 10 and text[4] == "-":
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            pass
    if len(text) > 10 and (text[10] in "T " and text[4] == "-"):  # a datetime: keep the date
        text = text[:10]
    for pattern, order in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            parts = dict(zip(order, (int(group) for group in match.groups()), strict=True))
            try:
                return datetime.date(parts["y"], parts["m"], parts["d"])
            except ValueError:
                return None
    return None


class RowChecker:
    """Turns (line, cells) into a staging tuple; built once per import (model names and WMI register cached)."""

    def __init__(self, *, columns: dict[str, int], market: str, partner_id: int | None, wmi_owners, models):
        self.columns = columns
        self.market = market
        self.partner_id = partner_id
        self.wmi_owners = wmi_owners
        self.models = {name.strip().casefold(): pk for name, pk in models.items()}
        self.dates: dict[str, str | None] = {}
        self.countries: dict[str, str | None] = {}
        self.width = max(columns.values()) + 1
        self.msg_model = _("There is no vehicle model with this name; add it first.")
        self.msg_date = _("Not a date; write it as YYYY-MM-DD (e.g. 2025-03-01).")
        self.msg_required = _("This column is required.")
        self.msg_status = _("Unknown status; use one of: %(values)s.") % {"values": ", ".join(VehicleStatus.values)}
        self.msg_country = _("Not a country; use the two-letter ISO code (e.g. CN, HU, TH).")
        self.msg_too_long = _("Longer than %(limit)d characters.")
        self.msg_future = _("The production date is in the future.")
        self.tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
        # The status as the portal names it in any of its languages ("Registered", "已注册", "مسجلة", …).
        self.status_labels = in_every_language(dict(VehicleStatus.choices))

    def _date(self, raw: str) -> str | None:
        cached = self.dates.get(raw, False)
        if cached is False:
            parsed = parse_date(raw)
            cached = parsed.isoformat() if parsed else None
            if len(self.dates) >= CACHE_LIMIT:
                self.dates.clear()
            self.dates[raw] = cached
        return cached

    def _country(self, raw: str) -> str | None:
        cached = self.countries.get(raw, False)
        if cached is False:
            text = raw.strip()
            code = text.upper() if text.upper() in countries else countries.by_name(text) or None
            if len(self.countries) >= CACHE_LIMIT:
                self.countries.clear()
            self.countries[raw] = cached = code
        return cached

    def check(self, line: int, cells: list) -> tuple:
        """The staging tuple of one row: its values, or every error of the row; and its warnings."""
        if len(cells) < self.width:
            cells = cells + [""] * (self.width - len(cells))
        get = self.columns.get
        raw_vin = cells[get("vin")].strip()
        raw_model = cells[get("model")].strip()
        raw_date = cells[get("production_date")].strip()
        optional = {}
        for name in (
            "plant",
            "status",
            "registration_country",
            "registration_region",
            "plate",
            "registration_date",
            "rxswin",
        ):
            index = get(name)
            value = cells[index].strip() if index is not None else ""
            optional[name] = value or None

        errors: list[tuple[str, str, str]] = []  # (column, value, reason): every problem, not only the first
        warnings: list[tuple[str, str, str]] = []
        vin = None
        registration_date = status = country = None
        if not raw_vin:
            errors.append(("vin", "", self.msg_required))
        else:
            result = vin_check(raw_vin, market=self.market, partner_id=self.partner_id, wmi_owners=self.wmi_owners)
            errors += [("vin", raw_vin, problem.message) for problem in result.errors]
            warnings += [("vin", raw_vin, problem.message) for problem in result.warnings]
            if result.ok:
                vin = result.vin
        model_id = self.models.get(raw_model.casefold())
        if model_id is None:
            errors.append(("model", raw_model, self.msg_required if not raw_model else self.msg_model))
        production_date = self._date(raw_date) if raw_date else None
        if production_date is None:
            errors.append(("production_date", raw_date, self.msg_required if not raw_date else self.msg_date))
        elif production_date > self.tomorrow:
            errors.append(("production_date", raw_date, self.msg_future))
        if optional["status"] is not None:
            raw = optional["status"]
            status = STATUS_NAMES.get(raw.casefold()) or STATUS_NAMES.get(raw) or self.status_labels.get(normalise(raw))
            if status is None:
                errors.append(("status", raw, self.msg_status))
        if optional["registration_country"] is not None:
            country = self._country(optional["registration_country"])
            if country is None:
                errors.append(("registration_country", optional["registration_country"], self.msg_country))
        if optional["registration_date"] is not None:
            registration_date = self._date(optional["registration_date"])
            if registration_date is None:
                errors.append(("registration_date", optional["registration_date"], self.msg_date))
        if optional["rxswin"] is not None:
            problem = rxswin_problem(optional["rxswin"])
            if problem:
                errors.append(("rxswin", optional["rxswin"], problem))
        for name, limit in MAX_LENGTHS.items():
            value = optional[name]
            if value is not None and len(value) > limit:
                errors.append((name, value, self.msg_too_long % {"limit": limit}))
        warned = _columns(warnings) if warnings else (None, None, None)
        if errors:
            return (line, vin, None, None, None, None, None, None, None, None, None, *_columns(errors), *warned)
        return (
            line,
            vin,
            model_id,
            production_date,
            optional["plant"],
            status,
            country,
            optional["registration_region"],
            optional["plate"],
            registration_date,
            optional["rxswin"],
            None,
            None,
            None,
            *warned,
        )


def _columns(problems: list[tuple[str, str, str]]) -> tuple[list, list, list]:
    """[(column, value, reason), …] → ([columns], [values], [reasons]): three text arrays of the staging row."""
    return (
        [column for column, _value, _reason in problems],
        [value[:200] for _column, value, _reason in problems],
        [reason for _column, _value, reason in problems],
    )
