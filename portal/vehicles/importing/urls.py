"""Import pages, included by portal/vehicles/urls.py at /vehicles/imports/ (names in the "vehicles" namespace).

The list, upload and template views are every kind's (`kind=` says whose page this is); the job pages below
show a job of any kind (the battery imports link here too)."""

from django.urls import path

from . import views
from .targets import VEHICLES

urlpatterns = [
    path("", views.import_list, {"kind": VEHICLES}, name="import_list"),
    path("new/", views.import_create, {"kind": VEHICLES}, name="import_create"),
    path("template.csv", views.import_template, {"kind": VEHICLES, "file_format": "csv"}, name="import_template_csv"),
    path(
        "template.xlsx", views.import_template, {"kind": VEHICLES, "file_format": "xlsx"}, name="import_template_xlsx"
    ),
    path("<uuid:pk>/", views.import_detail, name="import_detail"),
    path("<uuid:pk>/progress/", views.import_progress, name="import_progress"),
    path("<uuid:pk>/commit/", views.import_commit, name="import_commit"),
    path("<uuid:pk>/rejected.csv", views.import_errors_csv, name="import_errors_csv"),
]
