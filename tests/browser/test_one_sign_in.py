"""One sign-in across workspaces (issue 13, portals 2): alpha's owner, also a member of beta, signs in once on
alpha, opens beta from the Workspaces menu without a password (a hand-off: a POST on alpha, a POST on beta that a
script submits), comes back the same way, and signing out on beta ends the session on alpha too. English and Arabic.

The beta membership is committed by a fixture (the server runs in another process) and removed afterwards with
everything the journey wrote.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from portal.accounts.models import HandoffRedemption
from portal.audit.models import AuditEvent
from tenants.choices import Role
from tenants.models import Membership, Partner, User
from tests.factories import TEST_PASSWORD

from .conftest import ConsoleLog, PortalServer
from .helpers import assert_clean_console, choose_language, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

EMAIL = "owner@alpha.example.com"


@pytest.fixture(scope="module")  # module scope: set up before the test's own transaction, so it is committed
def traveller(portal_server, django_db_blocker):
    with django_db_blocker.unblock():
        mark = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        owner = User.objects.get(email=EMAIL)
        membership = Membership.objects.create(
            user=owner, partner=Partner.objects.get(schema_name="beta"), role=Role.MEMBER
        )
    try:
        yield owner
    finally:
        with django_db_blocker.unblock():
            membership.delete()
            HandoffRedemption.objects.filter(user=owner).delete()
            AuditEvent.objects.filter(pk__gt=mark).delete()


def _open_workspace(page: Page, name: str) -> None:
    page.locator(".navbar .dropdown-toggle", has_text=re.compile("Workspaces|مساحات العمل")).click()
    with page.expect_navigation(url=re.compile(r"^http://\w+\.localhost:\d+/$")):
        page.locator('[data-testid="workspaces"] button', has_text=name).click()


def test_sign_in_once_open_another_workspace_and_sign_out_everywhere(
    page: Page, portal_server: PortalServer, console: ConsoleLog, traveller
):
    page.goto(portal_server.url("alpha"))
    sign_in(page, EMAIL, TEST_PASSWORD)
    expect(page.locator("main h1")).to_have_text("Alpha Motors")

    _open_workspace(page, "Beta Cells")
    expect(page).to_have_url(portal_server.url("beta"))
    expect(page.locator("main h1")).to_have_text("Beta Cells")
    expect(page.locator("#id_password")).to_have_count(0)
    page.locator(".navbar .dropdown-toggle", has_text="Workspaces").click()
    expect(page.locator('[data-testid="workspaces"] [aria-current="page"]')).to_contain_text("Beta Cells")
    screenshot(page, "one-sign-in-en")

    choose_language(page, "ar")
    _open_workspace(page, "Alpha Motors")
    expect(page).to_have_url(portal_server.url("alpha"))
    choose_language(page, "ar")
    page.locator(".navbar .dropdown-toggle", has_text="مساحات العمل").click()
    screenshot(page, "one-sign-in-ar")
    choose_language(page, "en")

    _open_workspace(page, "Beta Cells")
    page.locator('[data-testid="signed-in-as"]').click()
    with page.expect_navigation():
        page.locator('form[action="/accounts/logout/"] button').click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))

    page.goto(portal_server.url("alpha", "/vehicles/"))
    expect(page).to_have_url(re.compile(r"^http://alpha\.localhost:\d+/accounts/login/\?next=/vehicles/$"))
    assert_clean_console(console)
