"""The router every app's API routes are registered on."""

from django.db import models
from rest_framework.routers import SimpleRouter

ID_PATTERNS = {
    models.AutoField: "[0-9]+",
    models.BigAutoField: "[0-9]+",
    models.UUIDField: "[0-9a-fA-F-]{32,36}",
}


class ApiRouter(SimpleRouter):
    """DRF's SimpleRouter (no root view, no format suffixes) whose id routes match only ids of the model's kind:
    `/shipments/0.5/` is then an unknown route (the API's JSON 404), never a view failing on a malformed id."""

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        queryset = getattr(viewset, "queryset", None)
        if getattr(viewset, "lookup_field", "pk") == "pk" and not hasattr(viewset, "lookup_value_regex"):
            pattern = queryset is not None and ID_PATTERNS.get(type(queryset.model._meta.pk))
            if pattern:
                viewset.lookup_value_regex = pattern
        return super().get_lookup_regex(viewset, lookup_prefix)
