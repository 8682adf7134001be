"""Reads of a partner's private notes (the connection is on the partner's schema)."""

from .models import ProjectNote


def note_list(*, project_id: int):
    """This partner's notes on a project, newest first."""
    return ProjectNote.objects.filter(project_id=project_id).select_related("author")
