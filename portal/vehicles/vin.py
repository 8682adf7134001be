"""VIN rules (ISO 3779 / 3780, 49 CFR 565, GB 16735-2019), market-aware, in one place.

The single entry point is `vin_check`. It runs once per row in bulk imports, so it does no database query when
the caller passes `wmi_owners` (read once with `wmi_owner_map`).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

# China (GB 16735-2019) and North America (49 CFR 565) require the check digit: a mismatch is an error there.
# Elsewhere (EU, TH, SA, IN, ...) the position may hold anything (EU makers often write Z), so it is a warning.
CHECK_DIGIT_MARKETS = frozenset({"CN", "US", "CA", "MX"})

VIN_LENGTH = 17
ALPHABET = frozenset("ABCDEFGHJKLMNPRSTUVWXYZ0123456789")
FORBIDDEN_LETTERS = frozenset("IOQ")
MODEL_YEAR_CYCLE = "ABCDEFGHJKLMNPRSTVWXY123456789"
_YEAR_INDEX = {c: i for i, c in enumerate(MODEL_YEAR_CYCLE)}
_TRANSLITERATION = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


@dataclass(frozen=True)
class VinProblem:
    """One finding about a VIN, explained in plain words."""

    code: str  # stable: length, alphabet, check_digit, model_year, wmi_unknown, wmi_other_partner
    message: str


@dataclass(frozen=True)
class VinCheck:
    """The outcome of checking one VIN for one market."""

    vin: str
    errors: tuple[VinProblem, ...]
    warnings: tuple[VinProblem, ...]
    wmi: str
    model_year: int | None

    @property
    def ok(self) -> bool:
        return not self.errors


def check_digit(vin: str) -> str:
    """The check digit ('0'–'9' or 'X') a 17-character VIN should carry in position 9."""
    total = 0
    for char, weight in zip(vin.upper(), _WEIGHTS, strict=True):
        total += _TRANSLITERATION[char] * weight
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def model_year(char: str, *, today: datetime.date | None = None) -> int | None:
    """The model year coded in position 10: the latest year of the 30-year cycle not after next year."""
    index = _YEAR_INDEX.get(char)
    if index is None:
        return None
    latest = (today or datetime.date.today()).year + 1
    year = 1980 + index
    while year + 30 <= latest:
        year += 30
    return year


def wmi_key(vin: str) -> tuple[str, str]:
    """The register key of a VIN: its WMI and, for small makers ('9' in position 3), positions 12–14."""
    wmi = vin[:3]
    return wmi, (vin[11:14] if len(wmi) == 3 and wmi[2] == "9" else "")


def wmi_owner_map() -> dict[tuple[str, str], int]:
    """(wmi, small_maker_code or "") → partner id, from the alliance WMI register (public schema)."""
    from portal.reference.models import WmiAssignment

    return {
        (wmi, code or ""): partner_id
        for wmi, code, partner_id in WmiAssignment.objects.values_list("wmi", "small_maker_code", "partner_id")
    }


def vin_check(
    raw: str,
    *,
    market: str,
    partner_id: int | None = None,
    wmi_owners: Mapping[tuple[str, str], int] | None = None,
) -> VinCheck:
    """Check a VIN for `market` on behalf of `partner_id`: errors block it, warnings are shown."""
    vin = (raw or "").strip().upper()
    market = (market or "").strip().upper()
    strict = market in CHECK_DIGIT_MARKETS
    errors: list[VinProblem] = []
    warnings: list[VinProblem] = []

    if len(vin) != VIN_LENGTH:
        errors.append(VinProblem("length", _("A VIN has 17 characters; this one has %(count)d.") % {"count": len(vin)}))
    forbidden = sorted({c for c in vin if c in FORBIDDEN_LETTERS})
    invalid = sorted({c for c in vin if c not in ALPHABET and c not in FORBIDDEN_LETTERS})
    if forbidden:
        errors.append(
            VinProblem(
                "alphabet",
                _("The letters I, O and Q are never used in a VIN (found %(chars)s).")
                % {"chars": ", ".join(forbidden)},
            )
        )
    if invalid:
        errors.append(
            VinProblem(
                "alphabet",
                _("A VIN has only digits and the letters A–Z (found %(chars)s).") % {"chars": " ".join(invalid)},
            )
        )
    if errors:
        return VinCheck(vin=vin, errors=tuple(errors), warnings=(), wmi=vin[:3], model_year=None)

    expected = check_digit(vin)
    if vin[8] != expected:
        problem = VinProblem(
            "check_digit",
            _("Position 9 should be %(expected)s (check digit), not %(actual)s.")
            % {"expected": expected, "actual": vin[8]},
        )
        (errors if strict else warnings).append(problem)

    year = model_year(vin[9])
    if year is None:
        problem = VinProblem(
            "model_year",
            _("Position 10 (%(char)s) is not a model-year character (U, Z and 0 are never used).") % {"char": vin[9]},
        )
        (errors if strict else warnings).append(problem)

    owners = wmi_owner_map() if wmi_owners is None else wmi_owners
    wmi, code = wmi_key(vin)
    owner = owners.get((wmi, code))
    if owner is None and code:
        owner = owners.get((wmi, ""))  # a small-maker WMI registered as a whole
    if owner is None:
        warnings.append(
            VinProblem("wmi_unknown", _("The WMI %(wmi)s is not in the alliance WMI register.") % {"wmi": wmi})
        )
    elif partner_id is not None and owner != partner_id:
        errors.append(
            VinProblem(
                "wmi_other_partner",
                _("The WMI %(wmi)s belongs to another member of the alliance.")
                % {"wmi": wmi + (f"·{code}" if code else "")},
            )
        )
    return VinCheck(vin=vin, errors=tuple(errors), warnings=tuple(warnings), wmi=wmi, model_year=year)
