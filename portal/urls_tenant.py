"""URLs of a partner's subdomain; every page needs a member of that partner."""

from django.urls import include, path

from portal.home import views as home_views

from .urls_common import urlpatterns as common

handler403 = "portal.core.views.error_403"
handler404 = "portal.core.errors.error_404"
handler500 = "portal.core.errors.error_500"

urlpatterns = [
    path("", home_views.partner_home, name="home"),
    path("vehicles/", include("portal.vehicles.urls")),
    path("batteries/imports/", include("portal.batteries.importing.urls")),  # before <identifier>/ takes "imports"
    path("batteries/", include("portal.batteries.urls_passport")),  # QR codes, QR sheets, passport links
    path("batteries/", include("portal.batteries.urls")),
    path("projects/", include("portal.collaboration.urls")),
    path("compliance/", include("portal.compliance.urls")),
    path("statistics/", include("portal.insights.urls")),
    path("supply/", include("portal.supply.urls")),
    path("events/", include("portal.events.urls")),
    path("search/", include("portal.search.urls")),
    path("settings/", include("portal.integrations.urls")),
    path("settings/audit/", include("portal.audit.urls")),
    path("inbox/", include("portal.inbox.urls")),
    path("team/", include("portal.accounts.urls_team")),
    *common,
]
