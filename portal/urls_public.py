"""URLs of the public host: the alliance's front page, staff pages and the admin."""

from django.contrib import admin
from django.urls import include, path

from portal.accounts import views as accounts
from portal.home import views as home_views

from .urls_common import urlpatterns as common

handler403 = "portal.core.views.error_403"
handler404 = "portal.core.errors.error_404"
handler500 = "portal.core.errors.error_500"

urlpatterns = [
    path("", home_views.public_home, name="home"),
    path("staff/", home_views.staff_home, name="staff-home"),
    path("staff/audit/", include("portal.audit.urls_public")),
    path("staff/events/", include("portal.events.urls_public")),
    path("admin/login/", accounts.admin_login),  # through the portal's sign-in and its two-factor step
    path("admin/", admin.site.urls),
    path("projects/", include("portal.collaboration.urls_public")),
    path("statistics/", include("portal.insights.urls_public")),
    path("search/", include("portal.search.urls_public")),
    # Battery passports: the page a battery's QR code opens, for anyone (no sign-in).
    path("passport/", include("portal.batteries.urls_public")),
    *common,
]
