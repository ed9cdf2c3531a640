"""A participant books a session; the expert, in another browser, sees it appear live."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, expect

from tests.e2e.sessions import signed_in_page
from tests.servers import LiveServer
from toolbox.demo import (
    EXPERT_PASSWORD,
    FACILITATOR,
    PARTICIPANT,
    TABLES,
    DemoAccount,
    demo_document,
)

pytestmark = pytest.mark.browser
BRIGADE = "/b/accelerateur-numerique/brigade"
EXPERT = next(
    DemoAccount(person["email"], EXPERT_PASSWORD, person["name"], None)
    for person in demo_document()["people"]
    if person["email"] == TABLES["Table 1"]
)


async def test_expert_sees_a_booking_appear_live(browser: Browser, demo_server: LiveServer) -> None:
    expert_context, expert = await signed_in_page(browser, demo_server, EXPERT)
    participant_context, participant = await signed_in_page(browser, demo_server, PARTICIPANT)
    await expert.goto(f"{demo_server.url}{BRIGADE}")
    await expect(expert.locator("#presence")).not_to_be_empty(timeout=10_000)
    free = expert.locator("td.slot-bookable", has_text=EXPERT.name).last
    cell_id = await free.get_attribute("id")
    assert cell_id
    slot_id = cell_id.removeprefix("slot-")

    await participant.goto(f"{demo_server.url}{BRIGADE}/slots/{slot_id}")
    await participant.get_by_label("Votre organisme").fill("Bibliothèque de Val-d’Or")
    await participant.get_by_label("Votre besoin").fill("Choisir un outil de billetterie.")
    await participant.get_by_role("button", name="Réserver", exact=True).click()
    await expect(participant.get_by_role("heading", name="Votre réservation")).to_be_visible()

    cell = expert.locator(f"#slot-{slot_id}")
    await expect(cell).to_contain_text("Bibliothèque de Val-d’Or", timeout=10_000)
    await expect(cell).to_have_class("slot slot-full")
    await expect(expert.locator("#live-announcer")).to_contain_text("place")
    await expert_context.close()
    await participant_context.close()


async def test_a_participant_books_from_the_filtered_brigade(
    browser: Browser, demo_server: LiveServer
) -> None:
    context, page = await signed_in_page(browser, demo_server, PARTICIPANT, BRIGADE)
    await page.get_by_label("Spécialité").select_option("Écoconception")
    await page.get_by_label("Seulement les séances que je peux encore réserver").check()
    await page.get_by_role("button", name="Filtrer").click()
    await expect(page).to_have_url(re.compile(r"speciality=%C3%89coconception.*bookable=1"))
    cells = page.locator("td.slot")
    await expect(cells.first).to_be_visible()
    # Only Aïcha Benali's sessions (Table 3), and only those with a free seat.
    for text in await cells.all_inner_texts():
        assert "Aïcha Benali" in text and "Places libres" in text
    cell_id = await cells.first.get_attribute("id")
    await cells.first.get_by_role("link", name=re.compile("^Réserver")).click()
    await page.get_by_label("Votre organisme").fill("Théâtre du Nouvel-Ontario")
    await page.get_by_label("Votre besoin").fill("Rendre notre site plus sobre.")
    await page.get_by_role("button", name="Réserver", exact=True).click()
    await expect(page.get_by_role("heading", name="Votre réservation")).to_be_visible()

    await page.goto(f"{demo_server.url}{BRIGADE}?bookable=1")
    await expect(page.locator(f"#{cell_id}")).to_have_count(0)  # booked: no longer offered
    await page.goto(f"{demo_server.url}{BRIGADE}")
    await expect(page.locator(f"#{cell_id}")).to_contain_text("Votre réservation")
    await context.close()


async def test_a_visitor_is_invited_to_sign_in_and_comes_back(
    browser: Browser, demo_server: LiveServer
) -> None:
    context = await browser.new_context(locale="fr-CA")
    page = await context.new_page()
    await page.goto(f"{demo_server.url}{BRIGADE}")
    await expect(page.get_by_role("link", name=re.compile("^Réserver"))).to_have_count(0)
    prompt = page.locator(".sign-in-to-book")
    # The demo board takes registrations: both are offered.
    await expect(prompt).to_contain_text("Connectez-vous ou inscrivez-vous pour réserver")
    await expect(prompt.get_by_role("link", name="inscrivez-vous")).to_have_attribute(
        "href", "/register/accelerateur-numerique"
    )
    await prompt.get_by_role("link", name="Connectez-vous").click()
    await page.get_by_label("Courriel").fill(PARTICIPANT.email)
    await page.get_by_label("Mot de passe").fill(PARTICIPANT.password)
    await page.get_by_label("Mot de passe").press("Enter")
    await expect(page).to_have_url(f"{demo_server.url}{BRIGADE}")
    await expect(page.get_by_role("link", name=re.compile("^Réserver")).first).to_be_visible()
    await context.close()


async def test_an_expert_claims_from_the_schedule_and_a_facilitator_sees_it_live(
    browser: Browser, demo_server: LiveServer
) -> None:
    """The cell's "Take" button posts the page's one claim form to its own session (formaction),
    through htmx, from the keyboard, as does a cell drawn anew over the socket; a session
    without an expert has no other control for them."""
    watcher_context, watcher = await signed_in_page(browser, demo_server, FACILITATOR, BRIGADE)
    await expect(watcher.locator("#presence")).not_to_be_empty(timeout=10_000)
    context, page = await signed_in_page(browser, demo_server, EXPERT, BRIGADE)
    cell = page.locator("td.slot-open").first
    cell_id = await cell.get_attribute("id")
    assert cell_id
    await expect(cell.get_by_role("link")).to_have_count(0)
    take = cell.get_by_role("button", name=re.compile(r"^Prendre : \d.*Table"))
    await take.focus()
    async with page.expect_request(lambda request: request.method == "POST") as posted:
        await page.keyboard.press("Enter")
    request = await posted.value
    assert request.url.endswith(f"/brigade/slots/{cell_id.removeprefix('slot-')}/claim")
    assert request.headers.get("hx-request") == "true"
    await expect(page).to_have_url(
        f"{demo_server.url}{BRIGADE}/slots/{cell_id.removeprefix('slot-')}"
    )
    await expect(page.locator(".facts")).to_contain_text(EXPERT.name)

    claimed = watcher.locator(f"#{cell_id}")
    await expect(claimed).to_contain_text(EXPERT.name, timeout=10_000)
    await expect(claimed).to_have_class("slot slot-bookable")
    await expect(watcher.locator("#live-announcer")).to_contain_text(EXPERT.name)

    # The facilitator unassigns them: the cell arrives over the socket with its button, which
    # takes the session again through htmx as the first did.
    await page.goto(f"{demo_server.url}{BRIGADE}")
    await expect(page.locator("#presence")).not_to_be_empty(timeout=10_000)
    await watcher.goto(f"{demo_server.url}{BRIGADE}/slots/{cell_id.removeprefix('slot-')}")
    await watcher.get_by_role("button", name="Retirer l’expert").click()
    again = page.locator(f"#{cell_id}")
    await expect(again).to_have_class("slot slot-open", timeout=10_000)
    async with page.expect_request(lambda request: request.method == "POST") as posted:
        await again.get_by_role("button", name=re.compile("^Prendre")).click()
    request = await posted.value
    assert request.url.endswith(f"/brigade/slots/{cell_id.removeprefix('slot-')}/claim")
    assert request.headers.get("hx-request") == "true"
    await expect(page.locator(".facts")).to_contain_text(EXPERT.name)
    await context.close()
    await watcher_context.close()
