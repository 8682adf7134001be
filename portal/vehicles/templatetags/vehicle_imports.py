"""Template filters of the import pages: what happened to an import, wherever it is shown (list, job, home), and
what its file held."""

from django import template

from ..importing.selectors import Outcome, import_job_outcome
from ..importing.targets import import_target

register = template.Library()


@register.filter
def import_outcome(job) -> Outcome:
    """The import's outcome (label, sentence, tone): `{% with outcome=job|import_outcome %}`."""
    return import_job_outcome(job)


@register.filter
def import_kind_label(job) -> str:
    """What the job's file held, in the reader's language (`ImportTarget.label`: Vehicles, Battery readings…)."""
    return import_target(job.kind).label
