"""Writes of a partner's private notes; the project must be one the partner takes part in."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from tenants.choices import Role, role_at_least
from tenants.models import Partner, User

from ..selectors import project_get
from .models import ProjectNote


def note_create(*, partner: Partner, role: str, user: User, project_id: int, text: str) -> ProjectNote:
    """Members add a private note on a project their partner accepted."""
    if not role_at_least(role, Role.MEMBER):
        raise PermissionDenied(_("Your role does not allow this."))
    if project_get(partner=partner, pk=project_id, accepted_only=True) is None:
        raise PermissionDenied(_("Your partner does not take part in this project."))
    return ProjectNote.objects.create(project_id=project_id, author=user, text=text)


def note_delete(*, note: ProjectNote, role: str, user: User) -> None:
    """Its author, or a manager, deletes a note."""
    if note.author_id != user.pk and not role_at_least(role, Role.MANAGER):
        raise PermissionDenied(_("Only its author or a manager may delete a note."))
    note.delete()
