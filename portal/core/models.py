"""Operational records of the portal itself."""

from django.db import models


class Heartbeat(models.Model):
    """Last time a background process (e.g. Celery beat) showed it was alive."""

    name = models.CharField(max_length=50, unique=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"
