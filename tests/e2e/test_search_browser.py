"""Search as a participant uses it, without JavaScript: the words, a column, an order, in the
address; the words found marked in the results."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.async_api import Browser, expect

from tests.e2e.test_live_browser import BOARD
from tests.servers import LiveServer

pytestmark = pytest.mark.browser


async def test_search_and_filters_work_without_javascript_and_make_an_address(
    browser: Browser, demo_server: LiveServer
) -> None:
    context = await browser.new_context(locale="fr-CA", java_script_enabled=False)
    page = await context.new_page()
    await page.goto(f"{demo_server.url}{BOARD}")
    column = page.locator(".column").nth(3)
    column_id = await column.get_attribute("data-column-id")
    column_title = (await column.locator(".column-title").inner_text()).rsplit(" ", 1)[0].strip()

    await page.get_by_role("searchbox", name="Rechercher").fill("donnees")
    await page.get_by_label("Colonne").select_option(column_id or "")
    await page.get_by_label("Ordre").select_option("useful")
    await page.get_by_role("button", name="Filtrer").click()

    await expect(page).to_have_url(re.compile(r"q=donnees"))
    query = parse_qs(urlsplit(page.url).query)
    assert query["column"] == [column_id] and query["sort"] == ["useful"]
    results = page.locator(".results .card")
    assert await results.count() >= 1
    await expect(results.first.locator("mark").first).to_be_visible()
    assert "donn" in (await results.first.locator("mark").first.inner_text()).lower()
    # The address is the view: opened again, the form says the same filters.
    await page.goto(page.url)
    await expect(page.get_by_label("Colonne")).to_have_value(column_id or "")
    await expect(page.get_by_label("Ordre")).to_have_value("useful")
    assert column_title
    await context.close()
