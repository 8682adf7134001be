"""The API reference pages render in a real browser under the site's strict CSP (issue 13, blocker 4)."""

import pytest
from playwright.sync_api import Page, expect

from .conftest import ConsoleLog, PortalServer
from .helpers import SCREENSHOTS, assert_clean_console

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_redoc_renders_with_no_csp_error(page: Page, portal_server: PortalServer, console: ConsoleLog):
    response = page.goto(portal_server.url(None, "/api/redoc/"))
    assert response is not None and response.status == 200
    policy = response.headers["content-security-policy"]
    assert "'unsafe-inline'" not in policy
    assert "style-src 'self' 'nonce-" in policy  # Redoc's own injected styles, for this response only
    # Redoc drew the operations of the schema, with its styles applied (its menu is a fixed-width column).
    expect(page.get_by_role("heading", name="Alliance Portal API")).to_be_visible(timeout=20_000)
    expect(page.locator(".menu-content")).to_be_visible()
    assert page.evaluate("getComputedStyle(document.querySelector('.menu-content')).position") != "static"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "api-redoc.png")  # the viewport: the whole reference is too tall
    assert_clean_console(console)


def test_swagger_ui_renders_with_no_csp_error(page: Page, portal_server: PortalServer, console: ConsoleLog):
    response = page.goto(portal_server.url("alpha", "/api/docs/"))
    assert response is not None and response.status == 200
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    assert "nonce-" not in response.headers["content-security-policy"]
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Alliance Portal API", timeout=20_000)
    expect(page.locator(".opblock").first).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "api-swagger.png")
    assert_clean_console(console)


def test_the_site_keeps_the_strict_policy(page: Page, portal_server: PortalServer, console: ConsoleLog):
    home = page.goto(portal_server.url(None, "/"))
    assert home is not None
    policy = home.headers["content-security-policy"]
    # django-csp writes the directives in no fixed order: compare them by name.
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["style-src"] == "'self'" and "nonce-" not in policy and "sha256-" not in policy
    schema = page.request.get(portal_server.url(None, "/api/schema/"))  # a download, not a page
    assert schema.status == 200 and "nonce-" not in schema.headers["content-security-policy"]
    assert_clean_console(console)
