"""The search page on partner hosts (members of the partner)."""

from django.urls import path

from . import views

urlpatterns = [path("", views.search, name="search")]
