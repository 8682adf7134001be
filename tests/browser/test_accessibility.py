"""axe-core finds no violation, of any impact, on any page the isolation walker knows, in English and Arabic.

The pages come from the URL resolver through tests/isolation.py (tenant_routes(), public_routes()), so a page added
tomorrow is checked tomorrow: every named, non-API route that answers GET with an HTML page of its own. A partner of
its own ("Northwind EV Ltd.", committed so that the browser's server sees it, dropped at the end) gets the planted
rows of every app (PLANTS) and the sample objects of every route with ids (SAMPLE_KWARGS), and its owner walks its
host; staff and an anonymous visitor walk the public host. Staff walk the whole admin too: every page of every model
admin (changelist, add, change, history, delete confirmation, import/export) on the first row of its model
(tests/isolation.py `_admin_sample`). The API reference (Swagger UI, Redoc) is audited once rendered, on both hosts.

axe-core comes from the axe-playwright-python package (axe.min.js, pinned in requirements.txt). It is evaluated in
the page, in a browser context that bypasses the CSP for the audit alone: the CSP itself is tested elsewhere.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import axe_playwright_python
import pytest
from playwright.sync_api import Browser, Page

from tests.factories import TEST_PASSWORD, UserFactory, provision_partner
from tests.isolation import (
    OPEN_ROUTES,
    PLANTS,
    PUBLIC_URLCONF,
    SAMPLE_KWARGS,
    TENANT_URLCONF,
    Route,
    path_for,
    public_routes,
    tenant_routes,
)

from .conftest import ConsoleLog, PortalServer
from .helpers import assert_clean_console, choose_language, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

AXE_SOURCE = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
SLUG = "northwind"
OWNER = f"owner@{SLUG}.example.com"
LANGUAGES = ["en", "ar"]


def is_page(route: Route) -> bool:
    """A page a person opens: not the API itself (its schema is not HTML; the probe below skips it anyway)."""
    # admin:logout would sign staff out in the middle of the walk. django-simple-history's page of one past version
    # takes positional groups that no sample names; the object's history page (admin:<model>_history) is audited.
    return not (route.is_api or route.name == "admin:logout" or route.name.endswith("_simple_history"))


# The API reference renders in the browser from the schema: axe-core runs once it has rendered.
RENDERED_BY_SCRIPT = {"/api/docs/": ".swagger-ui .info .title", "/api/redoc/": ".api-content h1"}


@dataclass
class Site:
    partner: object
    tenant_paths: list[str]
    public_paths: list[str]


def _paths(routes: list[Route], partner, urlconf: str, samples: dict) -> list[str]:
    paths = []
    for route in routes:
        if not is_page(route):
            continue
        if route.needs_kwargs and route.name not in SAMPLE_KWARGS and route.short_name in OPEN_ROUTES:
            continue  # a signed link (password reset): nothing to sample
        paths.append(path_for(route, partner, urlconf=urlconf, cache=samples))
    return sorted(set(paths))


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, portal_server) -> Iterator[Site]:
    """A partner with data in every app, committed for the browser's server; removed afterwards."""
    from django.db import connection
    from django_tenants.utils import schema_context

    from tenants.choices import Role
    from tenants.models import Membership
    from tests.vehicles import factories as vehicle_factories

    vehicle_factories.WMI[SLUG] = "LNW"  # the partner's own manufacturer code, as alpha and beta have theirs
    with django_db_blocker.unblock():
        partner = provision_partner(SLUG, name="Northwind EV Ltd.")
        owner = UserFactory(email=OWNER, full_name="Olivia Nakamura")
    try:
        with django_db_blocker.unblock():
            Membership.objects.create(user=owner, partner=partner, role=Role.OWNER)
            for plant in PLANTS:
                plant(partner)
            samples: dict = {}
            site = Site(
                partner=partner,
                tenant_paths=_paths(tenant_routes(), partner, TENANT_URLCONF, samples),
                public_paths=_paths(public_routes(), partner, PUBLIC_URLCONF, samples),
            )
            connection.set_schema_to_public()
        yield site
    finally:  # also when building the samples failed: no other test may see this partner
        with django_db_blocker.unblock(), schema_context("public"):
            _remove(partner, owner)
            connection.set_schema_to_public()
        del vehicle_factories.WMI[SLUG]


def _remove(partner, owner) -> None:
    """Drop the partner, its schema and the shared rows that point at it (the alliance's statistics count partners)."""
    from django.db import connection, models
    from django.db.models import ProtectedError, RestrictedError
    from django_tenants.utils import schema_context

    from tenants.models import Membership

    Membership.objects.filter(partner=partner).delete()  # first: each removal is audited against the partner
    # Rows are collected from the partner's schema too (its tables point at the partner), so the row goes first,
    # from inside that schema, and the schema after it.
    with schema_context(partner.schema_name):
        for _attempt in range(10):
            try:
                models.Model.delete(partner)
                break
            except (ProtectedError, RestrictedError) as error:
                for row in getattr(error, "protected_objects", None) or error.restricted_objects:
                    row.delete()
        else:
            raise AssertionError(f"could not remove the partner {partner}")
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{partner.schema_name}" CASCADE')
    # The owner stays, signed out for good: rows of every partner's schema may point at a person.
    type(owner).objects.filter(pk=owner.pk).update(is_active=False)


@pytest.fixture
def audit_page(browser: Browser) -> Iterator[Page]:
    """A page whose context ignores the CSP, so that axe-core can be evaluated in it."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


# Violations inside the DOM that a third-party widget renders at run time, which no template, stylesheet or setting
# of ours reaches: rule → the widget's own element they are left to, per page. Nothing else on these pages is.
THIRD_PARTY: dict[str, dict[str, str]] = {
    # heading-order: Swagger UI's title is an <h1> and its operation groups are <h3>, with no <h2> between them;
    # its React components choose the levels. (Its nested controls are fixed: deepLinking is off in the settings.)
    # A large schema (ours is) is drawn as a virtualised list instead: the same <h3>, inside .operations-virtual.
    # region: it draws its title block (.information-container) outside the <main> it renders for the operations;
    # a landmark of ours around both would nest its <main> (landmark-main-is-top-level).
    "/api/docs/": {"heading-order": ".opblock-tag-section, .operations-virtual", "region": ".information-container"},
    # heading-order: Redoc heads each operation's "Authorizations:" with an <h5> right under the operation's <h2>;
    # its React components choose the levels, with no option to change them.
    "/api/redoc/": {"heading-order": ".api-content"},
}

RUN_AXE = """async (exempt) => {
    // elementRef: the element axe-core judged, not a lookup by its selector afterwards (a widget that re-renders
    // meanwhile would leave the selector pointing at nothing, and the exemption would miss its own element).
    const results = await axe.run(document, {resultTypes: ["violations"], elementRef: true});
    for (const violation of results.violations) {
        const inside = exempt[violation.id];
        violation.nodes = violation.nodes.filter((node) => {
            const element = node.element || document.querySelector(node.target[0]);
            return !(inside && element && element.closest(inside));
        });
        for (const node of violation.nodes) delete node.element;  // not serialisable back to Python
    }
    return results.violations.filter((violation) => violation.nodes.length);
}"""


def violations_of(page: Page, exempt: dict[str, str] | None = None) -> list[str]:
    """axe-core's violations on the current page, one line per rule and element."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    violations = page.evaluate(RUN_AXE, exempt or {})
    return [
        f"{violation['id']} ({violation['impact']}): {node['target']} — {violation['help']}{_detail(node)}"
        for violation in violations
        for node in violation["nodes"]
    ]


def _detail(node: dict) -> str:
    """The colours of a contrast failure, and the element's markup, so that the report says what to change."""
    data = next((check.get("data") for check in node.get("any", []) if isinstance(check.get("data"), dict)), {})
    colours = f" [{data.get('fgColor')} on {data.get('bgColor')}: {data.get('contrastRatio')}]" if data else ""
    return f"{colours} {node.get('html', '')[:160]}"


PROBE = """async (path) => {
    const response = await fetch(path, {credentials: "same-origin"});
    const type = response.headers.get("content-type") || "";
    // A fragment that htmx swaps into a page (no <html>) is checked as part of that page.
    const page = response.ok && !response.redirected && type.startsWith("text/html");
    return page && /<html[\\s>]/i.test(await response.text());
}"""


def audit(page: Page, base: str, paths: list[str]) -> tuple[dict[str, list[str]], int]:
    """Open each path that answers GET with an HTML page of its own (not a file, fragment, redirect or 405); run axe."""
    found: dict[str, list[str]] = {}
    audited = 0
    page.goto(base + "/accounts/login/")  # any page of the host: the probe below fetches from it
    for path in paths:
        if not page.evaluate(PROBE, path):
            continue
        page.goto(base + path)
        if path in RENDERED_BY_SCRIPT:
            page.wait_for_selector(RENDERED_BY_SCRIPT[path])
        audited += 1
        problems = violations_of(page, THIRD_PARTY.get(path))
        if problems:
            found[path] = problems
    return found, audited


def report(found: dict[str, list[str]]) -> str:
    return "\n".join(f"{path}\n  " + "\n  ".join(lines) for path, lines in found.items())


def signed_in_audit(page: Page, base: str, email: str, language: str, paths: list[str]) -> tuple[dict, int]:
    page.goto(base + "/accounts/login/")
    sign_in(page, email, TEST_PASSWORD)
    choose_language(page, language)
    return audit(page, base, [path for path in paths if not path.startswith("/accounts/logout")])


@pytest.mark.parametrize("language", LANGUAGES)
def test_partner_pages_have_no_axe_violation(audit_page: Page, portal_server: PortalServer, site: Site, language):
    base = portal_server.url(SLUG, "")
    found, audited = signed_in_audit(audit_page, base, OWNER, language, site.tenant_paths)
    assert audited >= 15, f"only {audited} pages audited of {site.tenant_paths}"
    audit_page.goto(base + "/")
    screenshot(audit_page, f"accessibility-partner-home-{language}")
    assert found == {}, f"axe-core violations on {len(found)} of {audited} pages ({language}):\n{report(found)}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_public_pages_have_no_axe_violation_for_staff(
    audit_page: Page, portal_server: PortalServer, site: Site, language
):
    base = portal_server.url(None, "")
    found, audited = signed_in_audit(audit_page, base, "staff@example.com", language, site.public_paths)
    assert audited >= 5, f"only {audited} pages audited of {site.public_paths}"
    assert found == {}, f"axe-core violations on {len(found)} of {audited} pages ({language}):\n{report(found)}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_open_pages_have_no_axe_violation_for_visitors(
    audit_page: Page, portal_server: PortalServer, site: Site, language
):
    base = portal_server.url(None, "")
    audit_page.goto(base + "/")
    choose_language(audit_page, language)
    found, audited = audit(audit_page, base, site.public_paths)
    # A visitor is sent to sign in from most pages; the open ones are audited as the visitor sees them.
    partner_base = portal_server.url(SLUG, "")
    open_paths = [path for path in site.tenant_paths if _route_name(path) in OPEN_ROUTES]
    partner_found, partner_audited = audit(audit_page, partner_base, open_paths)
    found.update({f"{SLUG}:{path}": lines for path, lines in partner_found.items()})
    assert audited + partner_audited >= 4
    assert found == {}, f"axe-core violations ({language}, signed out):\n{report(found)}"


def _route_name(path: str) -> str:
    from django.urls import Resolver404, resolve

    try:
        return resolve(path.split("?")[0], urlconf=TENANT_URLCONF).url_name or ""
    except Resolver404:
        return ""


def test_thai_pages_render_in_the_packaged_thai_font(page: Page, portal_server: PortalServer, console: ConsoleLog):
    """Under the real CSP: thai.css and the font come from the portal's static files, and the body uses it."""
    page.goto(portal_server.url(None, "/"))
    choose_language(page, "th")
    # Waits for thai.css (the language switch returns once <html lang> changed, maybe before the stylesheets).
    page.wait_for_function("""() => getComputedStyle(document.body).fontFamily.startsWith('"Noto Sans Thai"')""")
    assert page.evaluate("""() => document.fonts.load('16px "Noto Sans Thai"', 'ภาษาไทย').then((f) => f.length)""") > 0
    assert page.evaluate("""() => document.fonts.check('16px "Noto Sans Thai"', 'ภาษาไทย')""")
    screenshot(page, "public-home-th")
    assert_clean_console(console)


# The pages added with battery passports, alliance events and the Thailand EV 3.5 ledger, opened as a browser opens
# them (under the real CSP, unlike the audit above) in Arabic: no CSP violation or script error, nothing wider than the
# window in right-to-left layout, and a screenshot of each (artifacts/screenshots/arabic-*.png) to look at.
PARTNER_PREFIXES = ("/batteries/", "/events/", "/compliance/thailand-ev35/", "/compliance/rules/")
PUBLIC_PREFIXES = ("/passport/", "/staff/events/")

OVERFLOW = """() => document.documentElement.scrollWidth - document.documentElement.clientWidth"""


def _walk(page: Page, base: str, paths: list[str], host: str) -> dict[str, int]:
    # The probe runs in a page of its own (same cookies, no console listener): POST-only routes answer it with a 405.
    probe = page.context.new_page()
    probe.goto(base + "/")
    paths = [path for path in paths if probe.evaluate(PROBE, path)]
    probe.close()
    overflowing = {}
    for path in paths:
        page.goto(base + path)
        assert page.locator("html").get_attribute("dir") == "rtl", path
        excess = page.evaluate(OVERFLOW)
        if excess > 1:
            overflowing[path] = excess
        screenshot(page, f"arabic-{host}-" + (re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"))
    return overflowing


def test_new_pages_in_arabic(page: Page, portal_server: PortalServer, console: ConsoleLog, site: Site):
    partner_paths = [path for path in site.tenant_paths if path.startswith(PARTNER_PREFIXES)]
    public_paths = [path for path in site.public_paths if path.startswith(PUBLIC_PREFIXES)]
    assert partner_paths and public_paths

    base = portal_server.url(SLUG, "")
    page.goto(base + "/accounts/login/")
    sign_in(page, OWNER, TEST_PASSWORD)
    choose_language(page, "ar")
    overflowing = _walk(page, base, partner_paths, SLUG)

    base = portal_server.url(None, "")
    page.goto(base + "/accounts/login/")
    sign_in(page, "staff@example.com", TEST_PASSWORD)
    choose_language(page, "ar")
    overflowing.update(_walk(page, base, public_paths, "public"))

    assert_clean_console(console)
    assert overflowing == {}, f"wider than the window in Arabic (pixels): {overflowing}"
