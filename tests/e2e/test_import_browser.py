"""A facilitator uploads a real Trello export on the manage page and opens the new board."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, expect

from tests.e2e.sessions import signed_in_page
from tests.servers import LiveServer
from tests.transfer.builders import FIXTURES
from toolbox.demo import FACILITATOR

pytestmark = pytest.mark.browser


async def test_facilitator_uploads_a_trello_export_and_sees_the_new_board(
    browser: Browser, demo_server: LiveServer
) -> None:
    context, page = await signed_in_page(browser, demo_server, FACILITATOR)

    await page.goto(f"{demo_server.url}/b/accelerateur-numerique/manage")
    await page.locator("#import-file").set_input_files(FIXTURES / "wekan-project100.json")
    await page.locator("#import-form button[type=submit]").click()

    # The page follows the import (htmx polls its progress), then links to the new board.
    await expect(page).to_have_url(re.compile(r"/b/accelerateur-numerique/import/[0-9a-f]{32}$"))
    board_link = page.locator("#imported-board")
    await expect(board_link).to_be_visible(timeout=20_000)
    await expect(page.locator(".import-report li").first).to_contain_text("project-100")
    await board_link.click()

    await expect(page).to_have_url(f"{demo_server.url}/b/project-100")
    columns = page.locator(".column")
    await expect(columns).to_have_count(3)
    await expect(columns.first).to_contain_text("Todo")
    await expect(columns.first.locator(".card").first).to_contain_text("Write code")
    await expect(columns.nth(1).locator(".card")).to_have_count(1)
    await context.close()
