"""The room view on a 1920×1080 projector: large type, one column at a time that the keyboard
moves and pauses, live."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, expect

from tests.e2e.sessions import signed_in_page
from tests.e2e.test_live_browser import BOARD
from tests.servers import LiveServer
from toolbox.demo import FACILITATOR

pytestmark = pytest.mark.browser


async def test_the_room_is_large_rotates_by_keyboard_and_is_live(
    browser: Browser, demo_server: LiveServer
) -> None:
    context = await browser.new_context(locale="fr-CA", viewport={"width": 1920, "height": 1080})
    page = await context.new_page()
    await page.goto(f"{demo_server.url}{BOARD}/room")
    await expect(page.locator("#presence")).to_contain_text("ici", timeout=10_000)
    size = await page.eval_on_selector(
        ".room .card-title", "e => parseFloat(getComputedStyle(e).fontSize)"
    )
    body = await page.eval_on_selector(".room", "e => parseFloat(getComputedStyle(e).fontSize)")
    assert body >= 28 and size >= 28
    await expect(page.locator(".qr-code")).to_be_visible()

    shown = page.locator(".room .column:visible")
    await expect(shown).to_have_count(1)
    first = await shown.get_attribute("id")
    await page.keyboard.press("ArrowRight")
    second = await shown.get_attribute("id")
    assert second != first
    await expect(page.locator("#room-state")).to_contain_text("Colonne 2 de")
    await page.keyboard.press("ArrowLeft")
    assert await shown.get_attribute("id") == first
    await page.keyboard.press(" ")
    await expect(page.locator("#room-state")).to_contain_text("En pause")

    # Live: a resource added in the column on screen appears there.
    facilitator_context, facilitator = await signed_in_page(
        browser, demo_server, FACILITATOR, BOARD
    )
    column_id = int((first or "column-0").removeprefix("column-"))
    created = await facilitator.request.post(
        f"{demo_server.url}/api/v1/boards/accelerateur-numerique/cards",
        data={"column_id": column_id, "title": "Nouvelle ressource en salle"},
        headers={"Origin": demo_server.url},
    )
    assert created.status == 201, await created.text()
    await expect(
        page.locator(f"#{first} .card", has_text="Nouvelle ressource en salle")
    ).to_be_visible(timeout=10_000)
    await expect(shown).to_have_count(1)
    assert await shown.get_attribute("id") == first  # still the column on screen, paused
    await facilitator_context.close()
    await context.close()
