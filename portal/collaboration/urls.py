"""Pages of the collaboration app on partner hosts."""

from django.urls import path

from . import views
from .notes import views as note_views

app_name = "collaboration"
urlpatterns = [
    path("", views.board, name="board"),
    path("list/", views.project_list, name="project-list"),
    path("export.csv", views.project_export, name="project-export"),
    path("new/", views.project_create, name="project-create"),
    path("funnel/", views.funnel, name="funnel"),
    path("<int:pk>/", views.project_detail, name="project-detail"),
    path("<int:pk>/edit/", views.project_edit, name="project-edit"),
    path("<int:pk>/stage/", views.project_transition, name="project-transition"),
    path("<int:pk>/invite/", views.participant_invite, name="participant-invite"),
    path("<int:pk>/respond/", views.participant_respond, name="participant-respond"),
    path("<int:pk>/milestones/", views.milestone_create, name="milestone-create"),
    path("<int:pk>/milestones/<int:milestone_pk>/done/", views.milestone_done, name="milestone-done"),
    path("<int:pk>/documents/", views.document_upload, name="document-upload"),
    path("<int:pk>/notes/", note_views.note_create, name="note-create"),
    path("<int:pk>/notes/<int:note_pk>/delete/", note_views.note_delete, name="note-delete"),
    path("documents/<int:pk>/", views.document_download, name="document-download"),
    path("products/", views.product_list, name="product-list"),
    path("products/new/", views.product_create, name="product-create"),
    path("market/", views.market, name="market"),
    path("market/<int:pk>/", views.listing_detail, name="listing-detail"),
    path("market/<int:pk>/accept/", views.listing_accept, name="listing-accept"),
    path("market/<int:pk>/close/", views.listing_close, name="listing-close"),
]
