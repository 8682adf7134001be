"""Telling partners about projects: a notice in the inbox of each partner's people, who choose how e-mail brings it
(each notice, a daily digest or none; portal.inbox), rather than a mail per event from here."""

from django.conf import settings
from django.urls import reverse

from portal.inbox.choices import NoticeKind
from portal.inbox.services import notify_many
from tenants.choices import Role
from tenants.models import Partner

from .choices import Stage


def _project_path(project) -> str:
    return reverse("collaboration:project-detail", args=[project.pk], urlconf=settings.ROOT_URLCONF)


def notify_invitation(*, project, invitee: Partner, inviter: Partner) -> None:
    """The invited partner's owners and managers (who answer) hear of the invitation."""
    notify_many(
        partner=invitee,
        kind=NoticeKind.INVITATION,
        minimum_role=Role.MANAGER,
        params={"partner": inviter.name, "title": project.title},
        url=_project_path(project),
    )


def notify_stage_change(*, project, partners: list[Partner], to_stage: str, actor=None) -> None:
    """Each taking part partner's owners and managers, and the project's author, hear of the move (not who made it)."""
    for partner in partners:
        notify_many(
            partner=partner,
            kind=NoticeKind.STAGE,
            people=[project.created_by_id],
            minimum_role=Role.MANAGER,
            actor=actor,
            params={"title": project.title, "stage_label": Stage(to_stage).label},
            url=_project_path(project),
        )
