"""Event pages on partner hosts."""

from django.urls import path

from . import views

app_name = "events"
urlpatterns = [
    path("", views.event_list, name="event-list"),
    path("<int:pk>/", views.event_detail, name="event-detail"),
    path("<int:pk>/register/", views.register, name="register"),
    path("<int:pk>/cards/", views.card_list, name="cards"),
    path("<int:pk>/people/", views.people, name="people"),
    path("<int:pk>/rank/", views.rank, name="rank"),
    path("<int:pk>/requests/", views.request_list, name="requests"),
    path("<int:pk>/agenda/", views.agenda, name="agenda"),
    path("<int:pk>/agenda.ics", views.agenda_download, name="agenda-ics"),
    path("<int:pk>/statistics/", views.statistics, name="statistics"),
    path("cards/<int:pk>/delete/", views.card_delete, name="card-delete"),
    path("requests/<int:pk>/respond/", views.request_respond, name="request-respond"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting-detail"),
    path("meetings/<int:pk>/check-in/", views.meeting_check_in, name="meeting-check-in"),
    path("meetings/<int:pk>/notes/", views.meeting_note, name="meeting-note"),
    path("meetings/<int:pk>/signing/", views.signing_create, name="signing-create"),
]
