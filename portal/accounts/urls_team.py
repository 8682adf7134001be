"""The team page of a partner host, and accepting an invitation to it."""

from django.urls import path

from . import team_views

app_name = "team"
urlpatterns = [
    path("", team_views.team, name="team"),
    path("<int:pk>/role/", team_views.role_change, name="role"),
    path("<int:pk>/officer/", team_views.officer_change, name="officer"),
    path("<int:pk>/remove/", team_views.member_remove, name="remove"),
    path("invitations/<int:pk>/withdraw/", team_views.invitation_withdraw, name="invitation-withdraw"),
    path("join/<str:token>/", team_views.join, name="join"),
]
