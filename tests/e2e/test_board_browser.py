"""What a facilitator does with the mouse and keyboard, in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, expect

from tests.e2e.sessions import signed_in_page
from tests.servers import LiveServer
from toolbox.demo import FACILITATOR

pytestmark = pytest.mark.browser


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
