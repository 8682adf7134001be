"""Arabic: 7 ديسمبر 2026 (the month by its Arabic name)."""

from portal.formats import DATE_INPUT_FORMATS, DATETIME_INPUT_FORMATS  # noqa: F401  (read by Django)

DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y، H:i"
SHORT_DATETIME_FORMAT = "j F Y، H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
FIRST_DAY_OF_WEEK = 6
