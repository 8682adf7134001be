"""URLs served on every host: accounts, language switch, API and health."""

from django.urls import include, path

from portal.accounts import views as accounts
from portal.core import views as core_views

urlpatterns = [
    path("accounts/login/", accounts.PortalLoginView.as_view(), name="login"),
    path("accounts/two-factor/", accounts.two_factor_settings, name="two-factor"),
    path("accounts/two-factor/verify/", accounts.two_factor_verify, name="two-factor-verify"),
    # Signing out ends the person's sessions on every host; hand-offs open another workspace without a password.
    path("accounts/logout/", accounts.PortalLogoutView.as_view(), name="logout"),
    path("accounts/workspace/", accounts.handoff_start, name="handoff-start"),
    path("accounts/handoff/", accounts.handoff, name="handoff"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("portal.urls_api")),
    path("health/", core_views.health, name="health"),
]
