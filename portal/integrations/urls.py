"""Integrator pages on partner hosts: API keys and webhooks."""

from django.urls import path

from . import views

app_name = "integrations"
urlpatterns = [
    path("api-keys/", views.api_key_page, name="api-keys"),
    path("api-keys/<str:prefix>/revoke/", views.api_key_revoke_view, name="api-key-revoke"),
    path("webhooks/", views.webhook_page, name="webhooks"),
    path("webhooks/<int:pk>/toggle/", views.webhook_toggle_view, name="webhook-toggle"),
    path("webhooks/<int:pk>/delete/", views.webhook_delete_view, name="webhook-delete"),
    path("webhooks/deliveries/<uuid:pk>/resend/", views.webhook_delivery_resend_view, name="webhook-delivery-resend"),
]
