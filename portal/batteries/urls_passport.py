"""Passport tools on partner hosts, under /batteries/ (QR codes, QR sheets, signed links)."""

from django.urls import path

from . import passport_views

app_name = "passport_tools"
urlpatterns = [
    path("qr-sheet.svg", passport_views.battery_qr_sheet, name="qr_sheet"),
    path("<str:identifier>/qr.svg", passport_views.battery_qr, {"fmt": "svg"}, name="qr_svg"),
    path("<str:identifier>/qr.png", passport_views.battery_qr, {"fmt": "png"}, name="qr_png"),
    path("<str:identifier>/passport-link/", passport_views.battery_passport_link, name="link"),
    path(
        "<str:identifier>/passport-link/<str:link_id>/revoke/",
        passport_views.battery_passport_link_revoke,
        name="link_revoke",
    ),
]
