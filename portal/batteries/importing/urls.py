"""Battery import pages, mounted at /batteries/imports/ by portal/urls_tenant.py (before the battery pages, whose
`<identifier>/` would take "imports")."""

from django.urls import path

from . import views

app_name = "battery_imports"
urlpatterns = [
    path("", views.battery_import_list, name="list"),
    path("new/", views.battery_import_create, name="create"),
    path("template-<str:kind>.csv", views.battery_import_template_csv, name="template_csv"),
    path("template-<str:kind>.xlsx", views.battery_import_template_xlsx, name="template_xlsx"),
]
