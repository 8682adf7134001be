"""What every browser journey does: sign in, switch language, keep a screenshot, assert a clean console."""

from pathlib import Path

from playwright.sync_api import Page, expect

from .conftest import ARTIFACTS, ConsoleLog

SCREENSHOTS = ARTIFACTS / "screenshots"


def sign_in(page: Page, email: str, password: str):
    """Fill the login form on the current page and submit it; returns the response of the page landed on."""
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(password)
    with page.expect_navigation() as navigation:
        page.locator("main form button[type=submit]").click()
    return navigation.value


def choose_language(page: Page, code: str) -> None:
    """Pick a language in the footer switcher (it submits itself) and wait for the page to come back in it."""
    page.locator("#language-select").select_option(code)
    expect(page.locator("html")).to_have_attribute("lang", code)


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot as artifacts/screenshots/<name>.png (the CI keeps artifacts/)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    return path


def assert_clean_console(console: ConsoleLog) -> None:
    """No CSP violation, no script error, no failed request on the pages visited."""
    assert console.csp_violations() == [], "the page broke its Content-Security-Policy"
    assert console.unexpected_errors() == [], f"the page logged errors; failed requests: {console.failed_responses}"
