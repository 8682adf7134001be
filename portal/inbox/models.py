"""A person's inbox in one workspace: notices of what happened, and how the person wants to hear about them.

Where notices live: in the partner's schema (a TENANT_APPS app). A notice belongs to a workspace and a person;
the schema *is* the workspace, so no partner column is needed and no query can mix two partners' notices — the
bell on acme's host counts acme's notices only, whatever else the person belongs to. A person in three
workspaces has three inboxes (and up to three digests), as in Slack. Deleting a partner's schema takes its
notices with it; a person's row stays in the public schema (tenant → public foreign keys are safe, the reverse
is not). Services that run in the public schema (collaboration) name the partner, and `notify` switches to its
schema for the write.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .choices import MESSAGES, Delivery, NoticeKind


class Notice(models.Model):
    """Something that happened that one person of this workspace should know, with the page where to act."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("person")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NoticeKind.choices)
    # A variant of the kind's sentence (MESSAGES key), e.g. "certificate_expired"; blank: the kind's own.
    variant = models.CharField(max_length=40, blank=True)
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True, help_text="A path on the partner's host.")
    actor_label = models.CharField(_("by"), max_length=254, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # When an e-mail (instant or digest) carried it; never mailed twice.
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The inbox list: one person's notices, newest first.
            models.Index(fields=["user", "-created_at", "-id"], name="notice_user_created"),
            # The bell: COUNT of a person's unread notices reads only the unread rows.
            models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="notice_user_unread"),
            # The digest: notices not mailed yet.
            models.Index(fields=["created_at"], condition=Q(emailed_at__isnull=True), name="notice_not_emailed"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.user_id} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None

    @property
    def text(self) -> str:
        """The notice's sentence in the active language."""
        message = MESSAGES.get(self.variant) or MESSAGES.get(self.kind) or "%(text)s"
        return str(message) % _Params(self.params)


class _Params(dict):
    """Notice parameters as a sentence reads them: labels translated, dates formatted, missing ones blank."""

    def __getitem__(self, key):
        value = self.get(key, "")
        if key.endswith("_label") and value:
            return gettext(str(value))
        if key.endswith("_date") and value:
            day = parse_date(str(value))
            return formats.date_format(day, "DATE_FORMAT") if day else value
        return value


class NoticePreference(models.Model):
    """One person's choice in this workspace: which kinds reach the inbox, and how they reach the mailbox."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("person")
    )
    delivery = models.CharField(_("e-mail"), max_length=10, choices=Delivery.choices, default=Delivery.DIGEST)
    muted = ArrayField(
        models.CharField(max_length=20, choices=NoticeKind.choices), default=list, blank=True, verbose_name=_("muted")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notice preference")
        verbose_name_plural = _("notice preferences")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.delivery}"

    def wants(self, kind: str) -> bool:
        return kind not in self.muted
