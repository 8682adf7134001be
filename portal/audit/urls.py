"""Audit trail pages on partner hosts (owners)."""

from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.audit_list, name="event-list"),
    path("export.csv", views.audit_export, name="event-export"),
]
