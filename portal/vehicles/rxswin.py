"""RXSWIN: the software identification number of UN R156 (a free-form identifier the manufacturer assigns).

One check of its form, used by the vehicle (model field, forms, API, import) and by the certificates that list the
RXSWINs an R156 approval covers: bounded length, printable characters only (no control, format or private-use
characters, which could hide a difference or reverse the text), single spaces inside, and neither `;` nor `,`
(lists of RXSWINs are written with them in imports and forms).
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

RXSWIN_MAX_LENGTH = 64
LIST_SEPARATORS = ";,"


def rxswin_problem(value: str) -> str | None:
    """Why `value` is not an RXSWIN (a translated sentence), or None when it is one."""
    if len(value) > RXSWIN_MAX_LENGTH:
        return str(_("An RXSWIN has at most %(limit)d characters.") % {"limit": RXSWIN_MAX_LENGTH})
    if not value or value != value.strip() or "  " in value:
        return str(_("An RXSWIN has no leading, trailing or double spaces."))
    for char in value:
        if char in LIST_SEPARATORS:
            return str(_("An RXSWIN cannot contain “;” or “,” (they separate RXSWINs in a list)."))
        category = unicodedata.category(char)
        if category[0] == "C" or (category[0] == "Z" and char != " "):
            return str(_("An RXSWIN has printable characters only (letters, digits, punctuation, single spaces)."))
    return None


@deconstructible
class RxswinValidator:
    """Django validator: the value is an RXSWIN (see `rxswin_problem`)."""

    code = "invalid_rxswin"

    def __call__(self, value) -> None:
        problem = rxswin_problem(str(value))
        if problem:
            raise ValidationError(problem, code=self.code)

    def __eq__(self, other) -> bool:
        return isinstance(other, RxswinValidator)


validate_rxswin = RxswinValidator()


def rxswin_list_parse(text: str) -> list[str]:
    """ "A; B, C" → ["A", "B", "C"] (blank items dropped, duplicates kept once, order kept)."""
    items = [item.strip() for part in text.split(";") for item in part.split(",")]
    return list(dict.fromkeys(item for item in items if item))
