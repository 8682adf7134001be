"""Thai: 7 ธันวาคม 2026, or 7 ธ.ค. 2026 where room is short (Thai month names, the Gregorian year the records use).

The same patterns as English: Django's Thai catalogue names the months, so the order is all there is to set.
"""

from portal.formats.en.formats import *  # noqa: F403

FIRST_DAY_OF_WEEK = 0
