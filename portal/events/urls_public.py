"""Staff pages that run alliance events (public host, /staff/events/)."""

from django.urls import path

from . import views

app_name = "events"
urlpatterns = [
    path("", views.staff_event_list, name="staff-event-list"),
    path("<int:pk>/", views.staff_event_detail, name="staff-event-detail"),
    path("<int:pk>/schedule/", views.staff_schedule, name="staff-schedule"),
    path("<int:pk>/grid/", views.staff_grid, name="staff-grid"),
    path("<int:pk>/announce/", views.staff_announce, name="staff-announce"),
    path("<int:pk>/swap/", views.staff_swap, name="staff-swap"),
    path("meetings/<int:pk>/lock/", views.staff_meeting_lock, name="staff-meeting-lock"),
]
