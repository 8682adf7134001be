"""Timeline lines in the reader's language: the services store a kind and codes (`params`), never a sentence.

`timeline_params_*` build what a service stores; `timeline_describe` renders it in the active language. Names,
titles and reasons are the partners' own words and are shown as written. Rows written before the codes (`text`
only, kept when the data migration could not read them) are shown as they were stored.
"""

import datetime

from django.utils import formats
from django.utils.translation import gettext as _

from .choices import Stage, TimelineKind

# Fields of a project whose edit is recorded, with their names in the reader's language.
EDITABLE_FIELDS = ("title", "summary", "tags", "markets", "budget_range")


def _field_label(name: str) -> str:
    from .models import Project  # the model module imports this one

    return str(Project._meta.get_field(name).verbose_name)


def _stage_label(code: str) -> str:
    return str(Stage(code).label) if code in Stage.values else code


def timeline_describe(*, kind: str, params: dict, text: str = "") -> str:
    """The line's words after its kind ("Stage changed: Proposed → Negotiating"), in the active language."""
    if not params:
        return text
    if kind == TimelineKind.STAGE:
        line = _("%(from)s → %(to)s") % {"from": _stage_label(params["from"]), "to": _stage_label(params["to"])}
        return f"{line}: {params['reason']}" if params.get("reason") else line
    if kind == TimelineKind.EDITED:
        fields = [_field_label(name) for name in params.get("fields", []) if name in EDITABLE_FIELDS]
        return ", ".join(fields)
    if kind == TimelineKind.MILESTONE:
        title = params.get("title", "")
        if "due" in params:
            due = formats.date_format(datetime.date.fromisoformat(params["due"]), "DATE_FORMAT")
            return _("%(title)s, due %(date)s") % {"title": title, "date": due}
        return (_("%(title)s: done") if params.get("done") else _("%(title)s: open again")) % {"title": title}
    return text
