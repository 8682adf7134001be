"""A password validator beyond Django's: a long password of one or two repeated characters is still weak."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class CharacterVarietyValidator:
    """Refuse passwords with fewer than `min_distinct` different characters (e.g. "aaaaaaaaaaaa", "abababababab")."""

    def __init__(self, min_distinct: int = 6):
        self.min_distinct = min_distinct

    def validate(self, password, user=None):
        if len(set(password)) < self.min_distinct:
            raise ValidationError(
                ngettext(
                    "This password repeats too few characters: use at least %(count)d different one.",
                    "This password repeats too few characters: use at least %(count)d different ones.",
                    self.min_distinct,
                )
                % {"count": self.min_distinct},
                code="password_too_repetitive",
            )

    def get_help_text(self):
        return _("Your password must use at least %(count)d different characters.") % {"count": self.min_distinct}
