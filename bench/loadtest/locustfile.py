"""The mixed workload: people browsing, integrators reading, integrators writing with idempotency keys (and
retrying some writes with the same key), and people uploading imports. Loopback only; bounded by `-t`.

Every write the users make is counted here and written to LOADTEST_RESULTS when the run stops, so the driver
can compare it with what the database holds afterwards.
"""

import importlib.util
import itertools
import json
import os
import random
import re
import sys
import uuid
from pathlib import Path

from locust import HttpUser, between, events, task

# The VIN rules module alone (not the `portal` package, which would start Celery and Django in this process).
_spec = importlib.util.spec_from_file_location("vin", Path(__file__).parents[2] / "portal" / "vehicles" / "vin.py")
_vin_module = importlib.util.module_from_spec(_spec)
sys.modules["vin"] = _vin_module  # dataclasses look their module up while the class is made
_spec.loader.exec_module(_vin_module)
check_digit = _vin_module.check_digit

WORLD = json.loads(open(os.environ["LOADTEST_WORLD"], encoding="utf-8").read())  # noqa: SIM115
HOST = WORLD["host"]
RESULTS = {"api_created": 0, "api_replayed": 0, "imports_accepted": 0, "import_rows": 0, "server_errors": 0}
IMPORT_ROWS = 200
# VIN serials have six digits: API writes count up from 1 (plant 1), imports take blocks of IMPORT_ROWS (plant 9).
_serials = itertools.count(1)
_import_blocks = itertools.count(0)


def vin(serial: int, plant: str) -> str:
    body = f"LLTJCNL00R{plant}{serial:06d}"
    return body[:8] + check_digit(body) + body[9:]


def _count_5xx(response) -> None:
    if response.status_code >= 500:
        RESULTS["server_errors"] += 1


class Browser(HttpUser):
    """A partner's person on the web pages (signed in with the login form, CSRF and all)."""

    weight = 2
    wait_time = between(0.5, 2)

    def on_start(self):
        self.client.headers["Host"] = HOST
        page = self.client.get("/accounts/login/", name="login page")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        answer = self.client.post(
            "/accounts/login/",
            {"username": random.choice(WORLD["people"]), "password": WORLD["password"], "csrfmiddlewaretoken": token},
            headers={"Referer": f"http://{HOST}/accounts/login/"},
            name="sign in",
            allow_redirects=False,
        )
        _count_5xx(answer)

    @task(4)
    def browse(self):
        for path in ("/", "/vehicles/", "/vehicles/models/", "/projects/", "/vehicles/imports/"):
            _count_5xx(self.client.get(path, name=f"page {path}"))

    @task(1)
    def upload(self):
        """An import of IMPORT_ROWS new vehicles, through the API as the page's person would (session)."""
        start = next(_import_blocks) * IMPORT_ROWS
        rows = "\r\n".join(f"{vin(start + i, '9')},{WORLD['model']},2025-03-01,Load" for i in range(IMPORT_ROWS))
        content = f"vin,model,production_date,plant\r\n{rows}\r\n".encode()
        token = self.client.cookies.get("csrftoken", "")
        answer = self.client.post(
            "/api/v1/vehicle-imports/",
            data={"market": "CN", "mode": "all_or_nothing"},
            files={"file": ("load.csv", content, "text/csv")},
            headers={"X-CSRFToken": token, "Referer": f"http://{HOST}/vehicles/imports/"},
            name="api import",
        )
        _count_5xx(answer)
        if answer.status_code == 202:
            RESULTS["imports_accepted"] += 1
            RESULTS["import_rows"] += IMPORT_ROWS


class Integrator(HttpUser):
    """A partner's ERP with an API key: reads lists and details, registers vehicles with idempotency keys."""

    weight = 3
    wait_time = between(0.5, 2)

    def on_start(self):
        self.client.headers.update({"Host": HOST, "Authorization": f"Api-Key {random.choice(WORLD['keys'])}"})

    @task(4)
    def read(self):
        _count_5xx(self.client.get("/api/v1/vehicles/?page_size=20", name="api vehicles"))
        _count_5xx(self.client.get("/api/v1/vehicle-models/", name="api models"))
        _count_5xx(self.client.get("/api/v1/me/", name="api me"))

    @task(3)
    def write(self):
        serial = next(_serials)
        body = {"vin": vin(serial, "1"), "model": WORLD["model_id"], "production_date": "2025-03-01", "market": "CN"}
        key = str(uuid.uuid4())
        answer = self.client.post("/api/v1/vehicles/", json=body, headers={"Idempotency-Key": key}, name="api write")
        _count_5xx(answer)
        if answer.status_code == 201:
            RESULTS["api_created"] += 1
            if random.random() < 0.25:  # a retry, as after a lost answer: replayed, nothing new
                again = self.client.post(
                    "/api/v1/vehicles/", json=body, headers={"Idempotency-Key": key}, name="api write (retry)"
                )
                _count_5xx(again)
                if again.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true":
                    RESULTS["api_replayed"] += 1


@events.quitting.add_listener
def _write_results(environment, **kwargs):
    stats = environment.stats.total
    RESULTS.update(
        requests=stats.num_requests,
        failures=stats.num_failures,
        rps=round(stats.total_rps, 1),
        p50_ms=stats.get_response_time_percentile(0.5),
        p95_ms=stats.get_response_time_percentile(0.95),
        p99_ms=stats.get_response_time_percentile(0.99),
        max_ms=round(stats.max_response_time or 0),
    )
    with open(os.environ["LOADTEST_RESULTS"], "w", encoding="utf-8") as handle:
        json.dump(RESULTS, handle)
