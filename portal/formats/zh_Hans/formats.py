"""Simplified Chinese: 2026年12月7日 (year, month and day each named by its character)."""

from portal.formats import DATE_INPUT_FORMATS, DATETIME_INPUT_FORMATS  # noqa: F401  (read by Django)

DATE_FORMAT = "Y年n月j日"
SHORT_DATE_FORMAT = "Y年n月j日"
DATETIME_FORMAT = "Y年n月j日 H:i"
SHORT_DATETIME_FORMAT = "Y年n月j日 H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "Y年n月"
MONTH_DAY_FORMAT = "n月j日"
FIRST_DAY_OF_WEEK = 1
