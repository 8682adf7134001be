"""Pages of the vehicles app on partner hosts."""

from django.urls import include, path

from . import views

app_name = "vehicles"
urlpatterns = [
    path("", views.vehicle_list_view, name="vehicle_list"),
    path("export.csv", views.vehicle_export_csv, name="vehicle_export_csv"),
    path("export.xlsx", views.vehicle_export_xlsx, name="vehicle_export_xlsx"),
    path("columns/", views.vehicle_columns, name="vehicle_columns"),
    path("new/", views.vehicle_create, name="vehicle_create"),
    path("models/", views.vehicle_model_list_view, name="model_list"),
    path("models/new/", views.vehicle_model_create_view, name="model_create"),
    path("models/<int:pk>/edit/", views.vehicle_model_update_view, name="model_update"),
    path("imports/", include("portal.vehicles.importing.urls")),
    path("<str:vin>/", views.vehicle_detail, name="vehicle_detail"),
    path("<str:vin>/status/", views.vehicle_status, name="vehicle_status"),
    path("<str:vin>/rxswin/", views.vehicle_rxswin, name="vehicle_rxswin"),
]
