"""What a facilitator does with the mouse and keyboard, in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, expect

from tests.e2e.sessions import signed_in_page
from tests.servers import LiveServer
from toolbox.demo import FACILITATOR

pytestmark = pytest.mark.browser
BOARD = "/b/accelerateur-numerique"


async def test_facilitator_signs_in_and_adds_a_card(
    browser: Browser, demo_server: LiveServer
) -> None:
    context = await browser.new_context(locale="fr-CA")
    page = await context.new_page()
    await page.goto(f"{demo_server.url}/b/accelerateur-numerique")
    await page.get_by_role("link", name="Se connecter").click()
    await page.get_by_label("Courriel").fill(FACILITATOR.email)
    await page.get_by_label("Mot de passe").fill(FACILITATOR.password)
    await page.get_by_role("button", name="Se connecter").click()
    await expect(page).to_have_url(f"{demo_server.url}/b/accelerateur-numerique")

    column = page.locator(".column").first
    await column.locator("summary", has_text="Ajouter une ressource").click()
    column = column.locator(".add-card")
    await column.get_by_label("Titre").fill("Carte ajoutée par le navigateur")
    await column.get_by_label("Lien").fill("https://example.org/navigateur")
    await column.get_by_role("button", name="Ajouter", exact=True).click()

    new_card = page.locator(".card", has_text="Carte ajoutée par le navigateur")
    await expect(new_card).to_be_visible()
    # It is in the first column, last, and it survives a reload (it is in the database).
    await page.reload()
    last = page.locator(".column").first.locator(".card").last
    await expect(last).to_contain_text("Carte ajoutée par le navigateur")
    await context.close()


async def test_invalid_card_form_shows_the_message(
    browser: Browser, demo_server: LiveServer
) -> None:
    context, page = await signed_in_page(browser, demo_server, FACILITATOR)
    await page.goto(f"{demo_server.url}/b/accelerateur-numerique/cards/new")
    await page.get_by_label("Titre").fill("Sans lien valable")
    await page.get_by_label("Lien").evaluate("(input) => { input.type = 'text'; }")
    await page.get_by_label("Lien").fill("javascript:alert(1)")
    await page.get_by_role("button", name="Ajouter la ressource").click()
    await expect(page.get_by_role("alert")).to_have_text(
        "Le lien doit commencer par http:// ou https://."
    )
    await context.close()


async def test_the_search_box_answers_as_one_types(
    browser: Browser, demo_server: LiveServer
) -> None:
    context = await browser.new_context(locale="fr-CA")
    page = await context.new_page()
    board = f"{demo_server.url}/b/accelerateur-numerique"
    await page.goto(board)
    await expect(page.locator("#live")).to_be_visible()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))

    await page.get_by_role("searchbox", name="Rechercher").press_sequentially("strat", delay=40)
    results = page.locator("#board-results .results")
    await expect(results.locator(".card").first).to_contain_text("Stratégie")
    await expect(page.locator("#live")).to_have_count(0)
    await expect(page.locator("#search-status")).to_have_text(
        re.compile(r"\d+ ressources? trouvée")
    )
    await expect(page).to_have_url(re.compile(r"\?q=strat"))
    # One request once the typing paused, not one per letter.
    assert len([url for url in requests if "q=" in url]) == 1

    await page.get_by_role("searchbox", name="Rechercher").fill("")
    await expect(page.locator("#live")).to_be_visible()
    await expect(page.locator("#board-results .results")).to_have_count(0)
    await context.close()


async def test_keyboard_move_starts_at_the_cards_place_and_gives_it_back_the_focus(
    browser: Browser, demo_server: LiveServer
) -> None:
    context, page = await signed_in_page(browser, demo_server, FACILITATOR, BOARD)
    card = page.locator(".column").nth(1).locator(".card").nth(2)
    card_id = await card.get_attribute("data-card-id")
    await card.locator(".move-link").focus()
    await page.keyboard.press("Enter")
    position = page.locator("#move").get_by_label("Position")
    # The third card of its column: the form starts where the card is.
    await expect(position).to_have_value("3")
    await position.focus()
    await page.keyboard.press("Control+a")
    await page.keyboard.type("1")
    await page.keyboard.press("Enter")

    await expect(page).to_have_url(f"{demo_server.url}{BOARD}#card-{card_id}")
    moved = page.locator(f"#card-{card_id}")
    await expect(moved).to_be_visible()
    await expect(page.locator(".column").nth(1).locator(".card").first).to_have_id(
        f"card-{card_id}"
    )
    await expect(moved.locator(".card-title")).to_be_focused()
    await context.close()


async def test_a_menu_jumps_to_a_column_out_of_view(
    browser: Browser, demo_server: LiveServer
) -> None:
    context = await browser.new_context(locale="fr-CA", viewport={"width": 1366, "height": 768})
    page = await context.new_page()
    await page.goto(f"{demo_server.url}{BOARD}")
    last = page.locator(".column").last
    await expect(last).not_to_be_in_viewport()
    # The board says in words that it scrolls sideways.
    await expect(page.locator("#scroll-hint")).to_be_visible()
    await page.locator(".column-jump summary").focus()
    await page.keyboard.press("Enter")
    title = await last.locator("h2").evaluate("h => h.firstChild.textContent.trim()")
    await page.locator(".column-jump").get_by_role("link", name=title).focus()
    await page.keyboard.press("Enter")
    await expect(last).to_be_in_viewport()
    await expect(last).to_be_focused()
    await expect(page.locator(".column-jump ul")).to_be_hidden()
    await context.close()
