"""A participant books a session; the expert, in another browser, sees it appear live."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, expect

from tests.e2e.sessions import signed_in_page
from tests.servers import LiveServer
from toolbox.demo import EXPERT_PASSWORD, PARTICIPANT, TABLES, DemoAccount, demo_document

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
