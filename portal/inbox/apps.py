from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboxConfig(AppConfig):
    name = "portal.inbox"
    label = "inbox"
    verbose_name = _("Inbox")

    def ready(self):
        from tenants.signals import team_changed

        from .receivers import team_changed_receiver

        team_changed.connect(team_changed_receiver, dispatch_uid="inbox_team_changed")
