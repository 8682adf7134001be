"""Import pages, included by portal/vehicles/urls.py at /vehicles/imports/ (names in the "vehicles" namespace)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.import_list, name="import_list"),
    path("new/", views.import_create, name="import_create"),
    path("<uuid:pk>/", views.import_detail, name="import_detail"),
    path("<uuid:pk>/progress/", views.import_progress, name="import_progress"),
    path("<uuid:pk>/rejected.csv", views.import_errors_csv, name="import_errors_csv"),
]
