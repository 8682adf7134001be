"""Supply report pages on partner hosts."""

from django.urls import path

from . import views

app_name = "supply"
urlpatterns = [
    path("", views.supply_list, name="list"),
    path("<int:pk>/delete/", views.supply_delete, name="delete"),
]
