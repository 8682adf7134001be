"""Inbox pages on partner hosts (every member, each their own)."""

from django.urls import path

from . import views

app_name = "inbox"
urlpatterns = [
    path("", views.notice_list_page, name="notice-list"),
    path("<int:pk>/read/", views.notice_read, name="notice-read"),
    path("read-all/", views.notice_read_all, name="notice-read-all"),
    path("preferences/", views.preference_edit, name="preferences"),
]
