"""Pages of export compliance on partner hosts."""

from django.urls import path

from . import views

app_name = "compliance"
urlpatterns = [
    path("", views.shipment_list_view, name="shipment_list"),
    path("shipments/export.csv", views.shipment_export_csv, name="shipment_export_csv"),
    path("shipments/export.xlsx", views.shipment_export_xlsx, name="shipment_export_xlsx"),
    path("shipments/new/", views.shipment_create, name="shipment_create"),
    path("shipments/<int:pk>/", views.shipment_detail, name="shipment_detail"),
    path("shipments/<int:pk>/edit/", views.shipment_update, name="shipment_update"),
    path("shipments/<int:pk>/vehicles/", views.shipment_vehicles, name="shipment_vehicles"),
    path("shipments/<int:pk>/vehicles/remove/", views.shipment_vehicles_remove, name="shipment_vehicles_remove"),
    path("shipments/<int:pk>/check/", views.shipment_check_run, name="shipment_check"),
    path("shipments/<int:pk>/override/", views.shipment_override, name="shipment_override"),
    path("shipments/<int:pk>/ship/", views.shipment_ship, name="shipment_ship"),
    path("shipments/<int:pk>/cancel/", views.shipment_cancel, name="shipment_cancel"),
    path("certificates/", views.certificate_list_view, name="certificate_list"),
    path("certificates/new/", views.certificate_create, name="certificate_create"),
    path("certificates/<int:pk>/edit/", views.certificate_update, name="certificate_update"),
    path("certificates/<int:pk>/file/", views.certificate_file, name="certificate_file"),
    path("rules/", views.rules_view, name="rules"),
]
