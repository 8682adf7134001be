"""Per-caller rate limits in fixed windows, counted where every web process sees them.

With Redis configured (`REDIS_CACHE_URL`) the counter is an atomic INCR; otherwise one atomic upsert in a
public-schema table. Either way it is a single round-trip per call, and concurrent calls never lose a count.
"""

import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.utils import timezone
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from portal.api.principals import ApiKeyPrincipal

from .models import RateWindow

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
UPSERT = """
    INSERT INTO public.integrations_ratewindow (key, count, expires_at) VALUES (%s, 1, %s)
    ON CONFLICT (key) DO UPDATE SET count = public.integrations_ratewindow.count + 1
    RETURNING count
"""


def parse_rate(rate: str) -> tuple[int, int]:
    """'1200/min' → (1200, 60)."""
    number, period = rate.split("/")
    return int(number), PERIODS[period.strip()[0]]


def clock() -> float:
    """Seconds since the epoch that the windows are counted in (one seam, so tests can hold the clock still)."""
    return time.time()


def count_call(key: str, period: int) -> int:
    """Add one call to the caller's current window and return the window's count."""
    if settings.CACHES["throttle"]["BACKEND"].startswith("django_redis"):
        # INCR and EXPIRE sent together: one round trip. The key names its window, so renewing the expiry on
        # each call only keeps a window's counter until `period` after its last call.
        cache = caches["throttle"]
        name = cache.make_key(key)
        pipeline = cache.client.get_client(write=True).pipeline(transaction=False)
        pipeline.incr(name)
        pipeline.expire(name, period)
        return pipeline.execute()[0]
    with connection.cursor() as cursor:
        cursor.execute(UPSERT, [key, timezone.now() + timedelta(seconds=period)])
        return cursor.fetchone()[0]


class CallerRateThrottle(BaseThrottle):
    """One budget per API key (or per signed-in person, or per address for anonymous calls)."""

    scope = "caller"

    def allow_request(self, request, view):
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)  # read per call, so settings can change it
        if not rate:
            return True
        limit, period = parse_rate(rate)
        now = clock()
        window = int(now // period)
        self.retry_after = max(1, int(period - now % period))
        return count_call(f"throttle:{self._ident(request)}:{period}:{window}", period) <= limit

    def wait(self):
        return self.retry_after

    def _ident(self, request) -> str:
        user = request.user
        if isinstance(user, ApiKeyPrincipal):
            return f"key:{user.key.prefix}"
        if user.is_authenticated:
            return f"user:{user.pk}"
        return f"ip:{self.get_ident(request)}"


def rate_windows_purge() -> int:
    """Delete finished windows (safe to repeat)."""
    deleted, _details = RateWindow.objects.filter(expires_at__lt=timezone.now()).delete()
    return deleted
