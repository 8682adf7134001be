"""Battery import pages, mounted at /batteries/imports/ by portal/urls_tenant.py (before the battery pages, whose
`<identifier>/` would take "imports"). They are the import pipeline's own views (`portal.vehicles.importing.views`)
for the battery kinds; a job's page is the pipeline's (`vehicles:import_detail`)."""

from django.urls import path

from portal.vehicles.importing import views

from .targets import BATTERIES

app_name = "battery_imports"
urlpatterns = [
    path("", views.import_list, {"kind": BATTERIES}, name="list"),
    path("new/", views.import_create, {"kind": BATTERIES}, name="create"),
    path(
        "template-<str:kind>.csv",
        views.import_template,
        {"file_format": "csv", "page_of": BATTERIES},
        name="template_csv",
    ),
    path(
        "template-<str:kind>.xlsx",
        views.import_template,
        {"file_format": "xlsx", "page_of": BATTERIES},
        name="template_xlsx",
    ),
]
