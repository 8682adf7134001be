"""Statistics pages for alliance staff on the public host."""

from django.urls import path

from . import views

app_name = "insights"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export.csv", views.export, {"fmt": "csv"}, name="export_csv"),
    path("export.xlsx", views.export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("runs/", views.run_list_view, name="runs"),
    path("runs/start/", views.run_start_view, name="run-start"),
]
