"""The OpenAPI contract holds: Schemathesis calls every operation in-process (generated inputs, valid and
not) and finds no server error, no response that breaks the schema and no undocumented status code."""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from portal.api.scopes import ALL_SCOPES
from portal.integrations.services import api_key_create

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
EXAMPLES_PER_OPERATION = 6


@pytest.fixture
def in_test_transaction():
    """Calls go through the WSGI handler on this thread's connection: keep it open inside the test transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _exercise(operation, headers) -> str | None:
    """Run generated cases against one operation; the first failure, explained, or None."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
    )
    def run(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    try:
        run()
    except Exception as failure:  # noqa: BLE001 - every kind of failure is reported with its operation
        return f"{operation.label}: {failure}"[:2000]
    return None


def test_every_operation_keeps_the_contract(world, in_test_transaction):
    app = WSGIHandler()
    schema = schemathesis.openapi.from_wsgi("/api/schema/", app, headers={"Host": "localhost"})
    _key, raw = api_key_create(partner=world.alpha, name="contract", scopes=ALL_SCOPES)
    headers = {"Host": "alpha.localhost", "Authorization": f"Api-Key {raw}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20
    failures = [failure for operation in operations if (failure := _exercise(operation, headers))]
    assert failures == [], "\n\n".join(failures)
