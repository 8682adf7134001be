"""URLs served on every host: accounts, language switch, API and health."""

from django.urls import include, path

from portal.core import views as core_views

urlpatterns = [
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("portal.api.urls")),
    path("health/", core_views.health, name="health"),
]
