"""Settings of the gunicorn server that bench_api loads: production-like, plus one bare view as the floor."""

from portal.settings.base import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "bench.urls_api"
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {"caller": "1000000/min"}  # noqa: F405 - measure the API, not the limit
