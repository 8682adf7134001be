"""Pages of the collaboration app on the public host (alliance staff)."""

from django.contrib.admin.views.decorators import staff_member_required
from django.urls import path

from . import views

app_name = "collaboration"
urlpatterns = [
    path("", staff_member_required(views.board), name="board"),
    path("list/", staff_member_required(views.project_list), name="project-list"),
    path("export.csv", staff_member_required(views.project_export), name="project-export"),
    path("funnel/", staff_member_required(views.funnel), name="funnel"),
    path("<int:pk>/", staff_member_required(views.project_detail), name="project-detail"),
    path("documents/<int:pk>/", staff_member_required(views.document_download), name="document-download"),
    path("products/", staff_member_required(views.product_list), name="product-list"),
]
