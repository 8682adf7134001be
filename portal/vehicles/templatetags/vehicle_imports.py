"""Template filters of the import pages: what happened to an import, wherever it is shown (list, job, home)."""

from django import template

from ..importing.selectors import Outcome, import_job_outcome

register = template.Library()


@register.filter
def import_outcome(job) -> Outcome:
    """The import's outcome (label, sentence, tone): `{% with outcome=job|import_outcome %}`."""
    return import_job_outcome(job)
