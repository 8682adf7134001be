"""Kinds of notice and how a person wants them delivered by e-mail."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class NoticeKind(models.TextChoices):
    """What happened; each kind has one sentence (MESSAGES) rendered in the reader's language."""

    INVITATION = "invitation", _("Invitations")
    VERDICT = "verdict", _("Verdict changes of shipments")
    CERTIFICATE = "certificate", _("Certificate expiry")
    IMPORT = "import", _("Imports finished")
    STAGE = "stage", _("Stage changes of projects")
    TEAM = "team", _("Team changes")
    EVENT = "event", _("Event meetings")


class Delivery(models.TextChoices):
    """How notices also reach a person by e-mail (the inbox shows them in every case)."""

    DIGEST = "digest", _("A daily digest")
    INSTANT = "instant", _("An e-mail for each notice")
    NONE = "none", _("No e-mail")


# One sentence per kind (or per variant a notice names). Parameters are stored with the notice. Those named
# `*_label` are stored as the English text of a translated label (a choice's label, say) and translated again when
# shown, so a notice reads in the language of whoever opens it, not of whoever caused it; those named `*_date` are
# ISO dates shown in the reader's date format.
MESSAGES = {
    NoticeKind.INVITATION: _("%(partner)s invites you to “%(title)s”."),
    NoticeKind.VERDICT: _("Shipment %(reference)s: %(before_label)s → %(after_label)s."),
    NoticeKind.CERTIFICATE: _("Certificate %(number)s expires on %(expiry_date)s."),
    "certificate_expired": _("Certificate %(number)s expired on %(expiry_date)s."),
    NoticeKind.IMPORT: _("Import of %(file)s finished: %(created)s new, %(updated)s updated, %(rejected)s rejected."),
    "import_dry_run": _("Dry run of %(file)s finished: would import %(valid)s, reject %(rejected)s."),
    "import_failed": _("Import of %(file)s refused: nothing imported."),
    NoticeKind.STAGE: _("Project “%(title)s” moved to %(stage_label)s."),
    NoticeKind.TEAM: _("Team: %(text)s"),
    "team_invited": _("%(email)s was invited to the team as %(role_label)s."),
    "team_invitation_revoked": _("The invitation of %(email)s was withdrawn."),
    "team_joined": _("%(email)s joined the team as %(role_label)s."),
    "team_role_changed": _("%(email)s is now %(role_label)s."),
    "team_officer_changed": _("%(email)s is now a compliance officer."),
    "team_officer_unset": _("%(email)s is no longer a compliance officer."),
    "team_removed": _("%(email)s left the team (was %(role_label)s)."),
    NoticeKind.EVENT: _("%(event)s: %(text)s"),
    "event_request": _("%(event)s: %(requester)s asks %(recipient)s for a meeting."),
    "event_accepted": _("%(event)s: %(recipient)s accepted the meeting with %(requester)s."),
    "event_declined": _("%(event)s: %(recipient)s declined the meeting with %(requester)s."),
    "event_meeting": _("%(event)s: the meeting of %(requester)s and %(recipient)s is now %(status_label)s."),
    "event_schedule": _("%(event)s: your meetings are scheduled or moved; see your agenda."),
}
