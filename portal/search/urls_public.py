"""The search page on the public host (alliance staff: partners and every project)."""

from django.contrib.admin.views.decorators import staff_member_required
from django.urls import path

from . import views

urlpatterns = [path("", staff_member_required(views.search), name="search")]
