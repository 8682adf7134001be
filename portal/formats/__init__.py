"""Date formats per language (FORMAT_MODULE_PATH): one unambiguous form each, with the month named, never 12/07/2026.

Numeric day/month orders differ between readers (7 December or 12 July?), so every displayed date names its
month; inputs take ISO dates (what `<input type="date">` sends) and nothing a reader could misread.
"""

# Shared by every language (each formats.py imports them): ISO only, as date inputs send it.
DATE_INPUT_FORMATS = ["%Y-%m-%d"]
DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"]
