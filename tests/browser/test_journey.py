"""Journeys through a real browser: signing in on a partner host, Arabic right-to-left, refusals, errors."""

import re

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.factories import TEST_PASSWORD

from .conftest import ARTIFACTS, ConsoleLog, PortalServer

# django_db: pytest-django creates the test database only when a collected test asks for it.
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SCREENSHOTS = ARTIFACTS / "screenshots"


def sign_in(page: Page, email: str, password: str):
    """Fill the login form on the current page and submit it; returns the response of the page landed on."""
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(password)
    with page.expect_navigation() as navigation:
        page.locator("main form button[type=submit]").click()
    return navigation.value


def test_partner_login_then_arabic_is_right_to_left(page: Page, portal_server: PortalServer, console: ConsoleLog):
    page.goto(portal_server.url("alpha"))
    expect(page).to_have_url(re.compile(r"^http://alpha\.localhost:\d+/accounts/login/\?next=/$"))
    expect(page.locator("html")).to_have_attribute("dir", "ltr")

    response = sign_in(page, "owner@alpha.example.com", TEST_PASSWORD)
    assert response is not None
    assert response.status == 200
    expect(page).to_have_url(portal_server.url("alpha"))
    expect(page.locator('[data-testid="my-role"]')).to_be_visible()
    expect(page.locator("main h1")).to_have_text("Alpha Motors")

    # Choosing a language submits the form through portal/static/portal/app.js (no inline script, no button).
    page.locator("#language-select").select_option("ar")
    html = page.locator("html")
    expect(html, "choosing Arabic did not submit the language form").to_have_attribute("lang", "ar")
    expect(html).to_have_attribute("dir", "rtl")
    expect(page).to_have_url(portal_server.url("alpha"))
    expect(page.locator('[data-testid="my-role"]')).to_be_visible()
    expect(page.locator("#language-select")).to_have_value("ar")

    expect(page.locator('link[rel="stylesheet"][href*="bootstrap.rtl.min.css"]')).to_have_count(1)
    expect(page.locator('link[rel="stylesheet"][href$="/bootstrap.min.css"]')).to_have_count(0)
    # The language form's navigation is seen as soon as <html lang="ar"> is parsed, before the stylesheet has
    # loaded: wait for the page's load event, then for the sheet's rules (a slow CI machine showed the gap).
    page.wait_for_load_state("load")
    try:
        page.wait_for_function(
            """() => {
                const sheet = [...document.styleSheets].find((s) => (s.href || "").includes("bootstrap.rtl.min.css"));
                return sheet && sheet.cssRules.length > 100;
            }""",
            timeout=15_000,
        )
    except PlaywrightTimeoutError:
        pytest.fail("bootstrap.rtl.min.css is linked but did not load")
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    # Bootstrap styles apply: the navbar is a flex row and the brand sits on the right in RTL.
    assert page.evaluate("getComputedStyle(document.querySelector('.navbar')).display") == "flex"
    brand = page.locator(".navbar-brand").bounding_box()
    assert brand is not None
    assert brand["x"] > 1280 / 2, "in right-to-left the brand should be on the right"

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "partner-home-ar.png", full_page=True)

    assert console.csp_violations() == [], "the page broke its Content-Security-Policy"
    assert console.unexpected_errors() == [], f"the page logged errors; failed requests: {console.failed_responses}"
    assert console.failed_responses == []


def test_member_of_other_partner_is_refused_in_browser(page: Page, portal_server: PortalServer):
    page.goto(portal_server.url("beta"))
    response = sign_in(page, "owner@beta.example.com", TEST_PASSWORD)
    assert response is not None
    assert response.status == 200
    expect(page.locator('[data-testid="my-role"]')).to_be_visible()
    expect(page.locator("main h1")).to_have_text("Beta Cells")

    # Another host: the session cookie of beta.localhost is host-only, so alpha asks to sign in.
    page.goto(portal_server.url("alpha"))
    expect(page).to_have_url(re.compile(r"^http://alpha\.localhost:\d+/accounts/login/\?next=/$"))
    expect(page.locator("#id_username")).to_be_visible()

    response = sign_in(page, "owner@beta.example.com", TEST_PASSWORD)
    assert response is not None
    assert response.status == 403
    expect(page).to_have_url(portal_server.url("alpha"))
    expect(page.locator("main h1")).to_have_text("You cannot open this page")
    assert "Alpha Motors" not in page.content()
    assert "owner@alpha" not in page.content()
    expect(page.locator('[data-testid="my-role"]')).to_have_count(0)


def test_wrong_password_shows_error(page: Page, portal_server: PortalServer):
    page.goto(portal_server.url("alpha", "/accounts/login/"))
    response = sign_in(page, "member@alpha.example.com", "not-the-password")
    assert response is not None
    assert response.status == 200
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator(".alert-danger")).to_be_visible()
    expect(page.locator(".alert-danger")).to_contain_text("correct")
    expect(page.locator("#id_username")).to_have_value("member@alpha.example.com")
    expect(page.locator('[data-testid="my-role"]')).to_have_count(0)

    # The right password still works (and clears django-axes' failure count for this person).
    response = sign_in(page, "member@alpha.example.com", TEST_PASSWORD)
    assert response is not None
    assert response.status == 200
    expect(page.locator('[data-testid="my-role"]')).to_be_visible()


def test_statistics_chart_draws_under_the_csp(page: Page, portal_server: PortalServer, console: ConsoleLog):
    """Chart.js (from a package, no CDN) draws the dashboard chart without breaking the CSP, also right-to-left."""
    page.goto(portal_server.url("alpha", "/statistics/?measure=supply_total&breakdown=total"))
    sign_in(page, "viewer@alpha.example.com", TEST_PASSWORD)
    expect(page.locator("main h1")).to_have_text("Industry statistics")
    canvas = page.locator("canvas[data-source]")
    expect(canvas).to_have_class(re.compile("chartjs-render-monitor"))  # Chart.js took the canvas over
    assert page.evaluate("typeof Chart") == "function"
    # Only the chosen measure's breakdowns can be picked.
    page.locator("#id_measure").select_option("block_reasons")
    expect(page.locator("#id_breakdown")).to_have_value("reason")
    expect(page.locator('#id_breakdown option[value="category"]')).to_be_disabled()
    page.locator("#language-select").select_option("ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("canvas[data-source]")).to_have_class(re.compile("chartjs-render-monitor"))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "statistics-ar.png", full_page=True)
    assert console.csp_violations() == [], "the chart broke the Content-Security-Policy"
    assert console.unexpected_errors() == [], f"the page logged errors; failed requests: {console.failed_responses}"
