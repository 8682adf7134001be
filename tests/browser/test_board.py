"""The project board in a real browser: drag a card to the next column, move one back by keyboard (asked for a
reason, evidence attached), sign by drag (asked for the agreement), a refused drop leaves the card where it was; one
row of columns; English and Arabic."""

import pytest
from playwright.sync_api import Page, expect

from tests.factories import TEST_PASSWORD

from .conftest import ConsoleLog, PortalServer
from .helpers import assert_clean_console, choose_language, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

TITLE = "Board journey: swap-station pilot"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _card(page: Page, stage: str):
    return page.locator(f'[data-column="{stage}"] [data-card]', has_text=TITLE)


def _drag(page: Page, card, stage: str) -> None:
    """Drag the card by its top edge (not its links or menu) and drop it on the column of `stage`."""
    card.drag_to(page.locator(f'[data-column="{stage}"] .board-cards'), source_position={"x": 6, "y": 3})


def _one_row(page: Page) -> None:
    tops = page.locator("[data-column]").evaluate_all("(cols) => cols.map((c) => c.getBoundingClientRect().top)")
    assert len(tops) == 9 and len(set(tops)) == 1, f"the columns wrap: {tops}"


def test_drag_and_keyboard_moves(page: Page, portal_server: PortalServer, console: ConsoleLog):
    page.goto(portal_server.url("alpha"))
    sign_in(page, "manager@alpha.example.com", TEST_PASSWORD)
    page.goto(portal_server.url("alpha", "/projects/new/"))
    page.locator("#id_title").fill(TITLE)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()

    page.goto(portal_server.url("alpha", "/projects/"))
    _one_row(page)
    card = _card(page, "proposed")
    expect(card).to_contain_text("Alpha Motors")
    expect(card).to_contain_text("0 days in this stage")

    # A drop where the pipeline does not allow it: told why, the card stays.
    _drag(page, card, "docked")
    expect(page.locator("#board-error")).to_contain_text("cannot move to that stage")
    expect(_card(page, "proposed")).to_have_count(1)

    # Drag to the next column: moving on needs nothing more, the card lands there and the move is announced.
    _drag(page, _card(page, "proposed"), "negotiating")
    expect(_card(page, "negotiating")).to_have_count(1)
    expect(_card(page, "proposed")).to_have_count(0)
    expect(page.locator("#board-status")).to_contain_text("moved to Negotiating")
    expect(page.locator("#board-error")).to_be_hidden()

    # Keyboard: the card's "Move to…" menu, back to Proposed: the dialog asks why (evidence may be attached).
    menu = _card(page, "negotiating").locator("select[name=to]")
    menu.focus()
    menu.select_option("proposed")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    dialog = page.locator("#board-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("textarea")).to_be_focused()
    page.keyboard.type("The partner asked to rework the offer")
    dialog.locator("#board-evidence").set_input_files(
        files=[{"name": "offer.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    dialog.get_by_role("button", name="Change stage").press("Enter")
    expect(dialog).to_be_hidden()
    expect(_card(page, "proposed")).to_have_count(1)
    expect(_card(page, "proposed").locator("select[name=to]")).to_be_focused()
    screenshot(page, "board-en")

    # The stage history kept the reason and the evidence.
    _card(page, "proposed").get_by_role("link", name=TITLE).click()
    expect(page.locator("main")).to_contain_text("The partner asked to rework the offer")
    expect(page.locator("main")).to_contain_text("offer.pdf")

    # Arabic, right to left: still one row, and a drag still moves the card.
    page.goto(portal_server.url("alpha", "/projects/"))
    choose_language(page, "ar")
    _one_row(page)
    _drag(page, _card(page, "proposed"), "negotiating")
    expect(_card(page, "negotiating")).to_have_count(1)
    _drag(page, _card(page, "negotiating"), "docked")
    expect(_card(page, "docked")).to_have_count(1)
    # Signing needs the signed agreement: the dialog asks for it (no reason needed moving on), then the card moves.
    _drag(page, _card(page, "docked"), "signed")
    expect(dialog).to_be_visible()
    expect(dialog.locator("[data-hint-evidence]")).to_be_visible()
    expect(dialog.locator("[data-hint-reason]")).to_be_hidden()
    dialog.locator("#board-evidence").set_input_files(
        files=[{"name": "agreement.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    dialog.locator("button[type=submit]").click()
    expect(dialog).to_be_hidden()
    expect(_card(page, "signed")).to_have_count(1)
    screenshot(page, "board-ar")

    # A phone: the row scrolls sideways instead of wrapping.
    page.set_viewport_size({"width": 390, "height": 800})
    _one_row(page)
    assert page.locator("[data-board]").evaluate("(b) => b.scrollWidth > b.clientWidth")
    assert_clean_console(console)
