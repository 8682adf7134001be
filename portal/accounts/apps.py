from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "portal.accounts"
    label = "accounts"
    verbose_name = _("Sign-in and sessions")

    def ready(self):
        from . import sessions  # noqa: F401 -- stamps new sessions with their host and start time
