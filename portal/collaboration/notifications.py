"""E-mails about projects, sent after the transaction commits to the owners and managers of partners."""

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.inbox.choices import NoticeKind
from portal.inbox.services import notify_many
from tenants.choices import Role
from tenants.models import Membership, Partner


def _recipients(partners: list[Partner]) -> list[str]:
    return list(
        Membership.objects.filter(
            partner__in=partners, role__in=[Role.OWNER, Role.MANAGER], user__is_active=True
        ).values_list("user__email", flat=True)
    )


def notify_after_commit(*, partners: list[Partner], subject: str, body: str) -> None:
    """Queue one e-mail per recipient once the current transaction has committed (never for a rollback)."""

    # A title typed with a line break must not break (or inject into) the mail header.
    subject = " ".join(str(subject).split())

    def send():
        messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [email]) for email in _recipients(partners)]
        if messages:
            send_mass_mail(messages, fail_silently=True)

    transaction.on_commit(send)


def notify_invitation(*, project, invitee: Partner, inviter: Partner) -> None:
    notify_after_commit(
        partners=[invitee],
        subject=_("Invitation to the project “%(title)s”") % {"title": project.title},
        body=_("%(inviter)s invites %(invitee)s to the collaboration project “%(title)s”.")
        % {"inviter": inviter.name, "invitee": invitee.name, "title": project.title},
    )
    notify_many(  # the inbox of the invited partner's managers
        partner=invitee,
        kind=NoticeKind.INVITATION,
        minimum_role=Role.MANAGER,
        params={"partner": inviter.name, "title": project.title},
        url=reverse("collaboration:project-detail", args=[project.pk], urlconf=settings.ROOT_URLCONF),
    )


def notify_stage_change(*, project, partners: list[Partner], from_label: str, to_label: str, reason: str) -> None:
    notify_after_commit(
        partners=partners,
        subject=_("Project “%(title)s”: %(to)s") % {"title": project.title, "to": to_label},
        body=_("The project “%(title)s” moved from %(from)s to %(to)s.")
        % {
            "title": project.title,
            "from": from_label,
            "to": to_label,
        }
        + (f"\n\n{reason}" if reason else ""),
    )
