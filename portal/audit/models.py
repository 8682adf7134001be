"""The audit trail: one row per security-relevant event, in the public schema, with the partner it concerns."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenants.models import Partner

from .choices import AuditAction


class AuditEvent(models.Model):
    """Who did what, when (UTC), for which partner, in which request. Never holds a secret (see scrub)."""

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    action = models.CharField(_("action"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    # A snapshot: the e-mail address or "API key <prefix>", kept when the person or key is gone.
    actor_label = models.CharField(_("who"), max_length=254, blank=True)
    # The actor is not one of the partner's people (a refused visitor, a mistyped sign-in, staff): its owners then
    # see that someone outside tried, not who — another partner's people stay that partner's business.
    outsider = models.BooleanField(default=False)
    partner = models.ForeignKey(
        Partner, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("partner")
    )
    target_type = models.CharField(_("object type"), max_length=80, blank=True)
    target_id = models.CharField(_("object id"), max_length=64, blank=True)
    target_label = models.CharField(_("object"), max_length=200, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    request_id = models.CharField(_("request id"), max_length=100, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    method = models.CharField(max_length=10, blank=True)
    path = models.CharField(_("path"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["partner", "-at"], name="audit_partner_at"),
            models.Index(fields=["action", "-at"], name="audit_action_at"),
            models.Index(fields=["actor", "-at"], name="audit_actor_at"),
            models.Index(Upper("actor_label"), name="audit_actor_label_upper"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.actor_label}"

    @property
    def label_for_owners(self) -> str:
        """Who, as the partner's owners see it: outsiders are not named."""
        if not self.outsider:
            return self.actor_label
        if self.actor_id and self.actor.is_staff:
            return str(_("Alliance staff"))
        return str(_("Someone outside your partner"))

    @property
    def action_label(self) -> str:
        try:
            return AuditAction(self.action).label
        except ValueError:
            return self.action
