"""Every answer under /api/ is JSON in the error shape, whatever the client sends: unknown routes, ids of the
wrong form, methods nobody serves, JSON nested past any payload's need."""

import logging

import pytest

from portal.api.parsers import MAX_DEPTH, nesting_depth
from portal.api.scopes import ALL_SCOPES
from portal.integrations.services import api_key_create
from tests.conftest import client_for


@pytest.fixture
def alpha_api(world):
    """A client on alpha's host with an API key of every scope."""
    _key, raw = api_key_create(partner=world.alpha, name="hostile", scopes=ALL_SCOPES)
    client = client_for(world.alpha)
    client.defaults["HTTP_AUTHORIZATION"] = f"Api-Key {raw}"
    return client


def _error_code(response) -> str:
    assert response["Content-Type"] == "application/json", response.content[:200]
    body = response.json()
    assert body["type"] in {"client_error", "validation_error", "server_error"}
    return body["errors"][0]["code"]


@pytest.mark.parametrize(
    "url", ["/api/v1/shipments/0.5/", "/api/v1/projects/1e3/", "/api/v1/no-such-thing/", "/api/nowhere/"]
)
def test_an_unknown_route_or_an_id_of_the_wrong_form_is_a_json_404(alpha_api, url):
    response = alpha_api.get(url)
    assert response.status_code == 404
    assert _error_code(response) == "not_found"


def test_a_missing_page_outside_the_api_stays_a_page(world):
    response = client_for(world.alpha).get("/no-such-page/")
    assert response.status_code in {302, 404}  # a stranger is sent to sign in first; never JSON
    assert "application/json" not in response["Content-Type"]


@pytest.mark.parametrize("method", ["TRACE", "CONNECT", "PROPFIND"])
def test_a_method_nobody_serves_is_a_405_everywhere(alpha_api, method):
    page = alpha_api.generic(method, "/")
    assert page.status_code == 405
    assert "GET" in page["Allow"]
    api = alpha_api.generic(method, "/api/v1/me/")
    assert api.status_code == 405
    assert _error_code(api) == "method_not_allowed"


def test_json_nested_a_thousand_levels_is_a_clean_400(alpha_api):
    for depth in (MAX_DEPTH + 1, 900, 1100, 50_000):
        body = "[" * depth + "]" * depth
        response = alpha_api.post("/api/v1/vehicles/", body, content_type="application/json")
        assert response.status_code == 400, depth
        assert _error_code(response) == "parse_error"


def test_ordinary_nesting_is_parsed(alpha_api):
    body = '{"vin": "x", "note": "[[[[ brackets in a string do not count ]]]]", "extra": [[[1]]]}'
    response = alpha_api.post("/api/v1/vehicles/", body, content_type="application/json")
    assert response.status_code == 400  # a field error from the serializer, not a parse error
    assert _error_code(response) != "parse_error"


def test_nesting_depth_skips_brackets_in_strings_and_escapes():
    assert nesting_depth(b"") == 0
    assert nesting_depth(b'{"a": [1, {"b": 2}]}') == 3
    assert nesting_depth(b'["[[[[", "\\"[[["]') == 1


def test_a_body_over_the_limit_is_a_413(alpha_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = alpha_api.post("/api/v1/vehicles/", '{"vin": "' + "A" * 2000 + '"}', content_type="application/json")
    assert response.status_code == 413
    assert _error_code(response) == "payload_too_large"


def test_a_refusal_is_logged_without_a_traceback(world, caplog):
    viewer = world.person(world.alpha, "viewer")
    client = client_for(world.alpha, viewer)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/settings/api-keys/")
    assert response.status_code == 403
    refusals = [record for record in caplog.records if getattr(record, "status_code", None) == 403]
    assert refusals, "the 403 is still logged"
    assert all(record.exc_info is None for record in refusals)
