"""A participant suggests a resource from the board; a facilitator's board counts it live; a
facilitator in a third browser accepts it from the manage page, and the card appears live for
the others."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, expect

from tests.e2e.sessions import signed_in_page
from tests.e2e.test_live_browser import BOARD, wait_until_live
from tests.servers import LiveServer
from toolbox.demo import FACILITATOR, PARTICIPANT

pytestmark = pytest.mark.browser


async def test_suggest_count_live_accept_and_the_card_appears(
    browser: Browser, demo_server: LiveServer
) -> None:
    participant_context, participant = await signed_in_page(
        browser, demo_server, PARTICIPANT, BOARD
    )
    watching_context, watching = await signed_in_page(browser, demo_server, FACILITATOR, BOARD)
    await wait_until_live(participant)
    await wait_until_live(watching)
    count = watching.locator("#suggestion-count")
    before = int((await count.inner_text()).split()[0])

    await participant.get_by_text("Suggérer une ressource").click()
    await participant.get_by_label("Titre").last.fill("Boîte à outils des communs")
    await participant.get_by_label("Lien").last.fill("https://example.org/communs")
    await participant.get_by_label("En quoi elle aide").fill("Des gabarits libres.")
    await participant.get_by_label("En quoi elle aide").press("Tab")
    await participant.keyboard.press("Enter")
    await expect(participant.get_by_role("status").filter(has_text="Merci")).to_be_visible()
    await expect(count).to_have_text(f"{before + 1} en attente", timeout=10_000)
    await expect(watching.locator("#live-announcer")).to_contain_text("Boîte à outils des communs")

    desk_context, desk = await signed_in_page(browser, demo_server, FACILITATOR, f"{BOARD}/manage")
    item = desk.locator(".suggestion", has_text="Boîte à outils des communs")
    await item.get_by_text("Accepter").click()
    await item.get_by_label("Titre").fill("Communs : la boîte à outils")
    await item.get_by_role("button", name="L’ajouter au tableau").click()
    await expect(desk.locator(".suggestion", has_text="Boîte à outils des communs")).to_have_count(
        0
    )

    for page in (participant, watching):
        await expect(page.locator(".card", has_text="Communs : la boîte à outils")).to_be_visible(
            timeout=10_000
        )
    await expect(count).to_have_text(f"{before} en attente", timeout=10_000)
    await participant.goto(f"{demo_server.url}/me")
    await expect(participant.locator("#my-suggestions + ul")).to_contain_text("Acceptée")
    for context in (participant_context, watching_context, desk_context):
        await context.close()
