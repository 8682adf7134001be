from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectnotesConfig(AppConfig):
    name = "portal.collaboration.notes"
    label = "projectnotes"
    verbose_name = _("Private project notes")
