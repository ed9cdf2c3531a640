"""A participant stars a card and marks it useful from the board, by keyboard, without a reload;
a facilitator's window sees the count change live, and nobody else sees the star."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, expect

from tests.e2e.sessions import signed_in_page
from tests.e2e.test_live_browser import BOARD, wait_until_live
from tests.servers import LiveServer
from toolbox.demo import FACILITATOR, PARTICIPANT

pytestmark = pytest.mark.browser


async def test_star_and_useful_mark_without_a_reload_seen_live_by_another_window(
    browser: Browser, demo_server: LiveServer
) -> None:
    participant_context, participant = await signed_in_page(
        browser, demo_server, PARTICIPANT, BOARD
    )
    facilitator_context, facilitator = await signed_in_page(
        browser, demo_server, FACILITATOR, BOARD
    )
    await wait_until_live(participant)
    await wait_until_live(facilitator)
    card = participant.locator(".card").nth(1)
    card_id = await card.get_attribute("data-card-id")
    title = (await card.locator(".card-title").inner_text()).strip()
    await participant.evaluate("window.notReloaded = true")

    star = card.locator('button[data-mark="favourite"]')
    await expect(star).to_have_attribute("aria-pressed", "false")
    await star.focus()
    await participant.keyboard.press("Enter")
    await expect(star).to_have_attribute("aria-pressed", "true")

    useful = participant.locator(f'#card-{card_id} button[data-mark="useful"]')
    before = int(await useful.locator(".useful-count").inner_text())
    await useful.focus()
    await participant.keyboard.press("Space")
    await expect(useful).to_have_attribute("aria-pressed", "true")
    await expect(useful.locator(".useful-count")).to_have_text(str(before + 1))

    # The other window, a facilitator's, whose cards carry no buttons (their page has): the new
    # count, said to screen readers, and no star of someone else's.
    seen = facilitator.locator(f"#card-{card_id} .useful-count")
    await expect(seen).to_contain_text(
        f"{before + 1} personne{'s' if before + 1 > 1 else ''}", timeout=10_000
    )
    await expect(facilitator.locator("#live-announcer")).to_contain_text(f"« {title} »")
    await expect(facilitator.locator(f"#card-{card_id} button")).to_have_count(0)
    await expect(facilitator.locator(f"#card-{card_id} [aria-pressed]")).to_have_count(0)
    # The live update redrew the card in the participant's window too: still pressed.
    await expect(
        participant.locator(f'#card-{card_id} button[data-mark="useful"]')
    ).to_have_attribute("aria-pressed", "true")
    await expect(
        participant.locator(f'#card-{card_id} button[data-mark="favourite"]')
    ).to_have_attribute("aria-pressed", "true")
    assert await participant.evaluate("window.notReloaded") is True

    # A new visit presses the buttons from the person's own marks; /me lists the favourite.
    await participant.reload()
    await expect(
        participant.locator(f'#card-{card_id} button[data-mark="favourite"]')
    ).to_have_attribute("aria-pressed", "true")
    await participant.goto(f"{demo_server.url}/me")
    await expect(participant.locator("#my-favourites + ul")).to_contain_text(title)

    # Taking the mark back, from the card's own page.
    await participant.goto(f"{demo_server.url}{BOARD}/cards/{card_id}")
    mark = participant.locator('button[data-mark="useful"]')
    await expect(mark).to_have_attribute("aria-pressed", "true")
    await mark.click()
    await expect(mark).to_have_attribute("aria-pressed", "false")
    await expect(mark.locator(".useful-count")).to_have_text(str(before))
    await participant_context.close()
    await facilitator_context.close()


async def test_a_click_right_after_the_marks_are_redrawn_needs_no_reload(
    browser: Browser, demo_server: LiveServer
) -> None:
    # The answer to a click swaps the card's marks in anew: a second click as soon as it lands
    # (in the next task, as a quick double press would) is htmx's, not the form's own post.
    context, page = await signed_in_page(browser, demo_server, PARTICIPANT, BOARD)
    await wait_until_live(page)
    card_id = await page.locator(".card").nth(2).get_attribute("data-card-id")
    await page.evaluate("window.notReloaded = true")
    await page.evaluate(
        """(id) => {
            document.addEventListener("htmx:oobAfterSwap", () => setTimeout(() => {
                document.querySelector(`#marks-${id} button[data-mark="useful"]`).click();
            }, 0), { once: true });
            document.querySelector(`#marks-${id} button[data-mark="favourite"]`).click();
        }""",
        card_id,
    )
    await expect(page.locator(f'#card-{card_id} button[data-mark="useful"]')).to_have_attribute(
        "aria-pressed", "true"
    )
    await expect(page.locator(f'#card-{card_id} button[data-mark="favourite"]')).to_have_attribute(
        "aria-pressed", "true"
    )
    assert await page.evaluate("window.notReloaded") is True
    await context.close()


async def test_quick_presses_each_count_in_order(browser: Browser, demo_server: LiveServer) -> None:
    # Pressed faster than the answers come back: star, useful, star on one card, and useful
    # three times on another. Each press toggles what the one before left, as on a slow line:
    # the first card ends unstarred and marked useful, the second marked useful.
    context, page = await signed_in_page(browser, demo_server, PARTICIPANT, BOARD)
    await wait_until_live(page)
    first = await page.locator(".card").nth(3).get_attribute("data-card-id")
    second = await page.locator(".card").nth(4).get_attribute("data-card-id")
    await page.evaluate("window.notReloaded = true")
    await page.evaluate(
        """([first, second]) => {
            const press = (id, mark) =>
                document.querySelector(`#marks-${id} button[data-mark="${mark}"]`).click();
            press(first, "favourite"); press(first, "useful"); press(first, "favourite");
            press(second, "useful"); press(second, "useful"); press(second, "useful");
        }""",
        [first, second],
    )
    expected = {(first, "favourite"): "false", (first, "useful"): "true"}
    expected[(second, "favourite")] = "false"
    expected[(second, "useful")] = "true"
    for (card_id, mark), pressed in expected.items():
        button = page.locator(f'#marks-{card_id} button[data-mark="{mark}"]')
        await expect(button).to_have_attribute("aria-pressed", pressed)
    assert await page.evaluate("window.notReloaded") is True
    # The server kept the same: a new visit shows what the presses left.
    await page.wait_for_load_state("networkidle")
    await page.reload()
    for (card_id, mark), pressed in expected.items():
        button = page.locator(f'#marks-{card_id} button[data-mark="{mark}"]')
        await expect(button).to_have_attribute("aria-pressed", pressed)
    await context.close()
