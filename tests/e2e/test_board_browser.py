"""What a facilitator does with the mouse and keyboard, in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, expect

from tests.e2e.sessions import signed_in_page
from tests.e2e.test_accessibility import violations
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
    # The column's tools are one link, whose panel opens in its place.
    await column.get_by_role("link", name="Options de la colonne").click()
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
    # The card's title leads to its page, which holds "Move to…".
    await card.locator(".card-title").focus()
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


async def test_column_options_open_in_place_by_keyboard(
    browser: Browser, demo_server: LiveServer
) -> None:
    context, page = await signed_in_page(browser, demo_server, FACILITATOR, BOARD)
    # A facilitator's cards carry no controls of their own (their page has them): one link each.
    await expect(page.locator("#live .card").first).to_be_visible()
    assert await page.locator("#live .card :is(button, form, input)").count() == 0
    assert (
        await page.locator("#live .column-tools").count()
        == await page.locator("#live .column").count()
    )
    column = page.locator(".column").nth(1)
    column_id = await column.get_attribute("data-column-id")
    title = await column.locator("h2").evaluate("h => h.firstChild.textContent.trim()")
    link = column.get_by_role("link", name=f"Options de la colonne : {title}")
    await link.focus()
    await page.keyboard.press("Enter")
    # The panel takes the link's place, on the same page, with the keyboard's focus on it.
    panel = page.locator(f"#column-tools-{column_id}")
    await expect(panel.locator("summary")).to_be_focused()
    await expect(page).to_have_url(f"{demo_server.url}{BOARD}")
    await expect(page).to_have_title(re.compile(r"^Accélérateur numérique culturel · "))
    await page.keyboard.press("Tab")
    await expect(panel.locator(".add-card").get_by_label("Titre")).to_be_focused()
    await expect(panel.get_by_label("Titre de la colonne")).to_have_value(title)
    await expect(panel.get_by_role("button", name="Archiver la colonne")).to_be_visible()
    # "New column" opens in place too.
    await page.get_by_role("link", name="Nouvelle colonne").click()
    await expect(page.get_by_label("Titre de la colonne", exact=True).last).to_be_focused()
    await expect(page).to_have_title(re.compile(r"^Accélérateur numérique culturel · "))
    assert await violations(page) == []  # axe-core, with both open
    await context.close()


async def test_without_javascript_the_links_lead_to_pages_with_the_forms(
    browser: Browser, demo_server: LiveServer
) -> None:
    context, page = await signed_in_page(browser, demo_server, FACILITATOR, BOARD, javascript=False)
    column = page.locator(".column").first
    title = await column.locator("h2").evaluate("h => h.firstChild.textContent.trim()")
    await column.locator("a.column-tools").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(title)
    await page.get_by_label("Titre de la colonne").fill(f"{title} (renommée)")
    await page.get_by_role("button", name="Renommer").click()
    await expect(page).to_have_url(re.compile(rf"{BOARD}#column-\d+$"))
    await expect(page.locator(".column").first.locator("h2")).to_contain_text("(renommée)")
    # Put back as it was: the demo server is shared by the browser tests.
    await page.locator(".column").first.locator("a.column-tools").click()
    await page.get_by_label("Titre de la colonne").fill(title)
    await page.get_by_role("button", name="Renommer").click()
    await expect(page.locator(".column").first.locator("h2")).to_contain_text(title)
    await page.get_by_role("link", name="Nouvelle colonne").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Nouvelle colonne")
    await context.close()
