"""The public host's battery passport page (mounted at /passport/ by portal/urls_public.py)."""

from django.urls import path

from . import public

app_name = "passport"
urlpatterns = [
    # ISO/IEC 15459 identifiers may hold "/" or ":": the whole rest of the path up to the final slash.
    path("<path:identifier>/", public.passport_view, name="passport"),
]
