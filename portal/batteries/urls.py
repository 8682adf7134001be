"""Pages of battery passports on partner hosts."""

from django.urls import path

from . import views

app_name = "batteries"
urlpatterns = [
    path("", views.battery_list_view, name="battery_list"),
    path("new/", views.battery_create_view, name="battery_create"),
    path("models/", views.battery_model_list_view, name="model_list"),
    path("models/new/", views.battery_model_create_view, name="model_create"),
    path("models/<int:pk>/edit/", views.battery_model_update_view, name="model_update"),
    path("<str:identifier>/", views.battery_detail, name="battery_detail"),
    path("<str:identifier>/edit/", views.battery_update_view, name="battery_update"),
    path("<str:identifier>/history/", views.battery_history_view, name="battery_history"),
    path("<str:identifier>/fit/", views.battery_fit_view, name="battery_fit"),
    path("<str:identifier>/readings/new/", views.battery_reading_view, name="battery_reading"),
]
