"""Audit trail pages on the public host (staff)."""

from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.staff_audit_list, name="event-list"),
    path("export.csv", views.staff_audit_export, name="event-export"),
]
