"""The OpenAPI contract holds, as an outside Schemathesis run would test it: every operation, every check (status
codes, content types, headers, response schemas, negative data rejected), valid and invalid inputs, against a
partner holding realistic data (vehicles with their history, projects with transitions, certificates with files,
shipments with checks, needs and offers with suggestions, webhooks)."""

import datetime
import json
import re

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django_tenants.utils import schema_context
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from portal.api.scopes import ALL_SCOPES
from portal.collaboration.choices import ListingKind, Stage
from portal.collaboration.services import (
    listing_create,
    milestone_create,
    product_create,
    project_create,
    project_transition,
)
from portal.integrations.services import api_key_create
from portal.integrations.webhooks import webhook_endpoint_create, webhook_event_emit
from portal.vehicles.choices import ChangeSource, VehicleStatus
from portal.vehicles.services import vehicle_status_change
from tests.compliance.factories import certificate_make, eu_l3e_model, pdf, shipment_make, vehicles_make

# Enough examples to reach each operation's parameters, few enough for the suite's time (about a minute here).
EXAMPLES = {GenerationMode.POSITIVE: 12, GenerationMode.NEGATIVE: 8}
# The id segment of a path names its collection: /api/v1/<collection>/{id}/…
COLLECTION = re.compile(r"^/api/v1/([a-z-]+)/\{")


@pytest.fixture
def in_test_transaction():
    """Calls go through the WSGI handler on this thread's connection: keep it open inside the test transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _realistic_data(world, key) -> dict[str, dict[str, object]]:
    """Alpha's data of every kind the API serves; the path parameters that name one of each, by collection."""
    alpha, beta = world.alpha, world.beta
    model = eu_l3e_model(alpha)
    vehicles = vehicles_make(alpha, model, 3)
    with schema_context(alpha.schema_name):
        # An API key acts without a person: a history row with no user, as integrators create them.
        vehicle_status_change(
            vehicle=vehicles[0],
            to_status=VehicleStatus.REGISTERED,
            source=ChangeSource.API,
            registration_country="HU",
            plate="ABC-123",
            registration_date=datetime.date(2026, 11, 2),
        )
    certificate = certificate_make(alpha, "un38-3", [model], file=pdf())
    shipment = shipment_make(alpha, vehicles=vehicles[1:])
    owner = world.person(alpha, "owner")
    project = project_create(partner=alpha, role="owner", user=None, title="Swappable pack", tags=["battery_pack"])
    project_transition(
        project=project, version=project.version, to_stage=Stage.NEGOTIATING, partner=alpha, role="owner", user=None
    )
    milestone = milestone_create(
        project=project,
        partner=alpha,
        role="owner",
        user=owner,
        title="Pack prototype",
        due_date=datetime.date(2027, 3, 1),
    )
    tags = ["battery_pack"]
    need = listing_create(partner=alpha, role="owner", kind=ListingKind.NEED, title="Pack supplier", tags=tags)
    listing_create(partner=beta, role="owner", kind=ListingKind.OFFER, title="LFP packs", tags=tags)
    product = product_create(partner=alpha, role="owner", name="Thunder S", category="L3e")
    endpoint = webhook_endpoint_create(partner=alpha, url="http://127.0.0.1:9/hooks", events=["vehicle.created"])
    delivery = webhook_event_emit(partner=alpha, event="vehicle.created", data={"vin": vehicles[0].vin})[0]
    return {
        "vehicles": {"vin": vehicles[0].vin},
        "vehicle-models": {"id": model.pk},
        "certificates": {"id": certificate.pk},
        "shipments": {"id": shipment.pk},
        "shipment-checks": {"id": shipment.latest_check_id},
        "projects": {"id": project.pk},
        "milestones": {"id": milestone.pk},
        "needs-offers": {"id": need.pk},
        "products": {"id": product.pk},
        "webhooks": {"id": endpoint.pk},
        "webhook-deliveries": {"id": delivery.pk},
        "api-keys": {"prefix": key.prefix},
    }


def valid_data_refused_only_by_business_rules(ctx, response, case):
    """Stands in for Schemathesis' positive_data_acceptance. A request the schema calls valid may still break a rule
    no JSON Schema can state (a VIN's check digit, a stage the pipeline forbids, a vehicle already shipped); it is then
    refused with a validation error naming what is wrong (or 403/404/409), never as malformed and never with a 5xx."""
    if response.status_code < 400:
        return None
    if response.status_code in {401, 403, 404, 409, 412, 429}:
        return None
    if response.status_code == 400 and response.json().get("type") == "validation_error":
        return None
    if response.status_code == 400 and "\\u0000" in json.dumps([case.path_parameters, case.query, _body(case)]):
        return None  # a NUL character is a valid JSON string, but no PostgreSQL text can hold one: refused up front
    raise AssertionError(f"A schema-valid request was refused as malformed: {response.status_code}")


def _strings(value):
    """Every string inside a JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def invalid_data_rejected(ctx, response, case):
    """Schemathesis' negative_data_rejection, with one explained exception: DRF strips surrounding whitespace
    (control characters such as \\x1f count) before it checks a length, so a value over `maxLength` only by that
    whitespace is accepted and stored stripped, within the limit."""
    try:
        return negative_data_rejection(ctx, response, case)
    except Exception as failure:  # Schemathesis' failure types differ by check
        trimmed = any(text != text.strip() for text in _strings(_body(case)))
        if "`maxLength`" in str(failure) and trimmed:
            return None
        raise


# The two checks that depend on whether a case is valid, chosen by the mode the case was generated in.
MODE_CHECK = {
    GenerationMode.POSITIVE: valid_data_refused_only_by_business_rules,
    GenerationMode.NEGATIVE: invalid_data_rejected,
}


def _body(case):
    """The case's body when it has one (Schemathesis marks "no body" with a sentinel)."""
    return case.body if isinstance(case.body, dict | list | str | int | float | bool) else None


def _explained(failure: BaseException) -> str:
    """A failure's message, or each message of a group (Schemathesis reports distinct failures together)."""
    if isinstance(failure, BaseExceptionGroup):
        return "\n".join(_explained(inner) for inner in failure.exceptions)
    return str(failure)


def _exercise(operation, headers, real_ids, mode) -> str | None:
    """Run generated cases of one mode against one operation; the first failure, explained, or None."""
    match = COLLECTION.match(operation.path)
    known = real_ids.get(match.group(1), {}) if match else {}

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES[mode],
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],  # no shrinking: the first failing case is reported as it came
    )
    def run(case):
        if mode is GenerationMode.POSITIVE and case.path_parameters:
            # Valid cases name objects that exist, so the 200s (and their schemas) are exercised, not only 404s.
            case.path_parameters.update({name: value for name, value in known.items() if name in case.path_parameters})
        response = case.call(headers=headers)
        try:
            case.validate_response(
                response,
                headers=headers,
                excluded_checks=[positive_data_acceptance, negative_data_rejection],
                additional_checks=[MODE_CHECK[mode]],
            )
        except BaseExceptionGroup as failures:
            sent = f"{case.method} {case.formatted_path} query={case.query} body={str(case.body)[:300]}"
            raise AssertionError(
                f"{_explained(failures)}\n  sent: {sent}\n  got: {response.status_code} {response.text[:400]}"
            ) from None

    try:
        run()
    except Unsatisfiable:
        # Nothing of the operation can be made invalid (no parameters, or only ones every value satisfies).
        return None if mode is GenerationMode.NEGATIVE else f"{operation.label}: no valid case can be generated"
    except (Exception, BaseExceptionGroup) as failure:  # noqa: BLE001 - Schemathesis groups its failures
        return f"{operation.label} [{mode.value}]: {_explained(failure)}"[:3000]
    return None


def test_every_operation_keeps_the_contract(world, in_test_transaction, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True  # the demo receiver is local; nothing is sent during the test
    app = WSGIHandler()
    schema = schemathesis.openapi.from_wsgi("/api/schema/", app, headers={"Host": "localhost"})
    key, raw = api_key_create(partner=world.alpha, name="contract", scopes=ALL_SCOPES)
    real_ids = _realistic_data(world, key)
    headers = {"Host": "alpha.localhost", "Authorization": f"Api-Key {raw}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 80
    failures = [
        failure
        for operation in operations
        for mode in EXAMPLES
        if (failure := _exercise(operation, headers, real_ids, mode))
    ]
    assert failures == [], f"{len(failures)} operations fail:\n\n" + "\n\n".join(failures)
