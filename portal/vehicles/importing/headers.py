"""Lenient header matching: case, spaces, underscores, punctuation and Chinese names are all accepted."""

import re
import unicodedata

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.core.uploads import UploadError

# field → accepted header names (compared after `normalise`). Keep in step with README.md.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "vin": (
        "vin",
        "vinno",
        "vinnumber",
        "vincode",
        "vehicleidentificationnumber",
        "chassisnumber",
        "chassisno",
        "framenumber",
        "车架号",
        "vin码",
        "vin号",
        "车辆识别代号",
        "车辆识别号",
        "车辆识别码",
        "车架号码",
    ),
    "model": ("model", "modelname", "vehiclemodel", "vehicletype", "type", "车型", "车型名称", "车辆型号", "型号"),
    "production_date": (
        "productiondate",
        "produced",
        "producedon",
        "dateofproduction",
        "manufacturedate",
        "manufacturingdate",
        "builddate",
        "生产日期",
        "制造日期",
        "出厂日期",
    ),
    "plant": ("plant", "factory", "productionplant", "site", "工厂", "生产工厂", "生产厂", "制造工厂"),
    "status": ("status", "vehiclestatus", "状态", "车辆状态"),
    "registration_country": ("registrationcountry", "country", "注册国家", "国家"),
    "registration_region": ("registrationregion", "region", "province", "state", "注册地区", "地区", "省份"),
    "plate": ("plate", "platenumber", "licenseplate", "licenceplate", "numberplate", "车牌", "车牌号", "车牌号码"),
    "registration_date": ("registrationdate", "registereddate", "dateofregistration", "注册日期", "上牌日期"),
    "rxswin": ("rxswin", "softwareid", "softwareidentificationnumber", "软件识别码", "软件识别号"),
}
REQUIRED = ("vin", "model", "production_date")
FIELDS = tuple(HEADER_ALIASES)
# The column names of the downloadable template, in the reader's language; every language's names are accepted.
TEMPLATE_LABELS = {
    "vin": gettext_lazy("VIN"),
    "model": gettext_lazy("Model"),
    "production_date": gettext_lazy("Production date"),
    "plant": gettext_lazy("Plant"),
    "status": gettext_lazy("Status"),
    "registration_country": gettext_lazy("Registration country"),
    "registration_region": gettext_lazy("Region"),
    "plate": gettext_lazy("Plate"),
    "registration_date": gettext_lazy("Registration date"),
    "rxswin": gettext_lazy("RXSWIN"),
}

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def in_every_language(labels: dict) -> dict[str, str]:
    """Normalised label in each of the portal's languages → its key (a template's localised names read back)."""
    found: dict[str, str] = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for key, label in labels.items():
                found.setdefault(normalise(str(label)), key)
    return found


class HeaderSpec:
    """The columns of one kind of import: accepted names per field, the template's localised labels, the required
    fields, and optionally more names found at run time (`extra()` → {normalised name: field}, e.g. the battery
    passport's attribute ids). Matching is lenient in the same way for every kind (`normalise`)."""

    def __init__(self, *, aliases: dict[str, tuple[str, ...]], labels: dict, required: tuple[str, ...], extra=None):
        self.aliases = aliases
        self.labels = labels
        self.required = required
        self.extra = extra
        self._names: dict[str, str] | None = None

    def lookup(self) -> dict[str, str]:
        """The aliases, then the template's names in every language (built once: catalogues do not change)."""
        if self._names is None:
            names = {alias: field for field, aliases in self.aliases.items() for alias in aliases}
            self._names = {**in_every_language(self.labels), **names}
        if self.extra is not None:
            return {**self.extra(), **self._names}
        return self._names

    def template_header(self) -> list[str]:
        """The template's header row in the active language, required columns first."""
        return [str(label) for label in self.labels.values()]

    def match(self, cells: list) -> dict[str, int]:
        """Field → column index for a header row; unknown columns are ignored. Raises UploadError."""
        lookup = self.lookup()
        found: dict[str, int] = {}
        for index, cell in enumerate(cells):
            field = lookup.get(normalise(cell))
            if field is None:
                continue
            if field in found:
                raise UploadError(
                    _("Two columns mean the same field (%(field)s): %(first)s and %(second)s.")
                    % {"field": field, "first": cells[found[field]], "second": cell}
                )
            found[field] = index
        missing = [field for field in self.required if field not in found]
        if missing:
            shown = ", ".join(str(cell) for cell in cells[:12] if str(cell or "").strip()) or _("(nothing)")
            raise UploadError(
                _(
                    "The header row has no column for %(missing)s. Found: %(found)s. "
                    "The first row must name the columns."
                )
                % {"missing": ", ".join(missing), "found": shown[:300]}
            )
        return found


VEHICLE_HEADERS = HeaderSpec(aliases=HEADER_ALIASES, labels=TEMPLATE_LABELS, required=REQUIRED)


def _lookup() -> dict[str, str]:
    return VEHICLE_HEADERS.lookup()


def template_header() -> list[str]:
    """The vehicle template's header row in the active language, required columns first."""
    return [str(TEMPLATE_LABELS[field]) for field in FIELDS]


def normalise(name: str) -> str:
    """'Production_Date ' → 'productiondate'; full-width forms folded; Chinese kept."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", str(name or "")).casefold())


def match_header(cells: list) -> dict[str, int]:
    """Field → column index for a vehicle file's header row; unknown columns are ignored. Raises UploadError."""
    return VEHICLE_HEADERS.match(cells)
