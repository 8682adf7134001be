"""Team and roles (issue 13, portals 1): alpha's owner opens Team from the menu, invites a colleague as a manager
and compliance officer, sees the pending invitation, is told that the last owner cannot step down, and withdraws the
invitation. English and Arabic.

Everything the journey writes (committed by the server, another process) is removed afterwards.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from portal.audit.models import AuditEvent
from tenants.models import Invitation
from tests.factories import TEST_PASSWORD

from .conftest import ConsoleLog, PortalServer
from .helpers import assert_clean_console, choose_language, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

INVITEE = "new.colleague@example.com"


@pytest.fixture(scope="module")
def cleanup(portal_server, django_db_blocker):
    with django_db_blocker.unblock():
        mark = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            Invitation.objects.filter(email=INVITEE).delete()
            AuditEvent.objects.filter(pk__gt=mark).delete()


def test_an_owner_invites_a_colleague_and_keeps_the_last_owner(
    page: Page, portal_server: PortalServer, console: ConsoleLog, cleanup
):
    page.goto(portal_server.url("alpha"))
    sign_in(page, "owner@alpha.example.com", TEST_PASSWORD)
    page.locator('[data-testid="signed-in-as"]').click()
    with page.expect_navigation():
        page.get_by_role("link", name="Team").click()
    expect(page.locator("main h1")).to_have_text("Team")

    page.get_by_label("E-mail address").fill(INVITEE)
    page.get_by_label("Role", exact=True).select_option("manager")
    page.get_by_label("Compliance officer").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Send the invitation").click()
    expect(page.locator(".alert-success")).to_contain_text(f"Invitation sent to {INVITEE}")
    expect(page.locator('[data-testid="invitations"]')).to_contain_text(INVITEE)

    own = page.locator('[data-testid="member-owner@alpha.example.com"]')
    own.locator("select").select_option("manager")
    with page.expect_navigation():
        own.get_by_role("button", name="Change").click()
    expect(page.locator(".alert-danger")).to_contain_text("last owner")
    expect(own.locator("select")).to_have_value("owner")
    screenshot(page, "team-en")

    choose_language(page, "ar")
    expect(page.locator("main h1")).to_have_text("الفريق")
    screenshot(page, "team-ar")

    with page.expect_navigation():
        page.locator('[data-testid="invitations"] button').first.click()
    expect(page.locator('[data-testid="invitations"]')).not_to_contain_text(INVITEE)
    assert re.search(r"/team/$", page.url)
    assert_clean_console(console)
