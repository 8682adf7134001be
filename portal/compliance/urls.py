"""Pages of export compliance on partner hosts."""

from django.urls import path, re_path

from . import licence_views, offset_views, views

app_name = "compliance"
urlpatterns = [
    path("", views.shipment_list_view, name="shipment_list"),
    path("shipments/export.csv", views.shipment_export_csv, name="shipment_export_csv"),
    path("shipments/export.xlsx", views.shipment_export_xlsx, name="shipment_export_xlsx"),
    path("shipments/new/", views.shipment_create, name="shipment_create"),
    path("shipments/<int:pk>/", views.shipment_detail, name="shipment_detail"),
    path("shipments/<int:pk>/edit/", views.shipment_update, name="shipment_update"),
    path("shipments/<int:pk>/vehicles/", views.shipment_vehicles, name="shipment_vehicles"),
    re_path(
        r"^shipments/(?P<pk>[0-9]+)/(?P<action>check|ship|cancel|remove-vehicles)/$",
        views.shipment_action,
        name="shipment_action",
    ),
    path("shipments/<int:pk>/release/", views.shipment_release, name="shipment_release"),
    re_path(
        r"^shipments/(?P<pk>[0-9]+)/release-requests/(?P<request_pk>[0-9]+)/(?P<decision>approve|decline)/$",
        views.release_request_decide,
        name="release_request_decide",
    ),
    path("shipments/<int:pk>/dismiss-hit/", views.screening_hit_dismiss, name="screening_hit_dismiss"),
    path("screening-dismissals/<int:pk>/revoke/", views.screening_dismissal_revoke, name="screening_dismissal_revoke"),
    path("certificates/", views.certificate_list_view, name="certificate_list"),
    path("certificates/new/", views.certificate_create, name="certificate_create"),
    path("certificates/<int:pk>/", views.certificate_detail, name="certificate_detail"),
    path("certificates/<int:pk>/edit/", views.certificate_update, name="certificate_update"),
    path("certificates/<int:pk>/file/", views.certificate_file, name="certificate_file"),
    path("rules/", views.rules_view, name="rules"),
    path("thailand-ev35/", offset_views.offset_ledger_view, name="offset_ledger"),
    re_path(
        r"^thailand-ev35/(?P<kind>import|plant)/(?P<pk>[0-9]+)/delete/$",
        offset_views.offset_record_delete,
        name="offset_record_delete",
    ),
    path("licences/", licence_views.export_records_view, name="export_records"),
    re_path(
        r"^licences/(?P<kind>licence|authorisation|outlet)/(?P<pk>[0-9]+)/delete/$",
        licence_views.export_record_delete,
        name="export_record_delete",
    ),
]
