"""Integrator pages on partner hosts."""

from django.urls import path

from . import views

app_name = "integrations"
urlpatterns = [
    path("", views.api_key_page, name="api-keys"),
    path("<str:prefix>/revoke/", views.api_key_revoke_view, name="api-key-revoke"),
]
