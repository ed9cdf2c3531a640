"""axe-core finds nothing on the main pages, for a visitor, a participant, an expert and a
facilitator."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page

from tests.servers import ROOT, LiveServer
from toolbox.demo import EXPERT_PASSWORD, FACILITATOR, PARTICIPANT, TABLES

pytestmark = pytest.mark.browser
AXE = ROOT / "static" / "vendor" / "axe.min.js"
assert AXE.exists(), "run `make assets`: axe-core is copied into static/vendor/"
BOARD = "/b/accelerateur-numerique"


async def violations(page: Page) -> list[str]:
    # From the server, not inline: the Content-Security-Policy refuses inline script.
    await page.add_script_tag(url="/static/vendor/axe.min.js")
    result = await page.evaluate("async () => (await axe.run(document)).violations")
    return [f"{v['id']}: {v['help']} — {[n['target'] for n in v['nodes']][:3]}" for v in result]


async def check(page: Page, url: str) -> list[str]:
    await page.goto(url)
    await page.wait_for_load_state("networkidle")
    return [f"{url}: {v}" for v in await violations(page)]


async def test_main_pages_have_no_axe_violations(browser: Browser, demo_server: LiveServer) -> None:
    context = await browser.new_context(locale="fr-CA")
    page = await context.new_page()
    base = demo_server.url
    found: list[str] = []
    for path in (
        "/",
        "/login",
        BOARD,
        f"{BOARD}?q=donnees",
        f"{BOARD}/cards/1",
        f"{BOARD}/room",
        f"{BOARD}/brigade",
        f"{BOARD}/brigade?speciality=Wikidata",
    ):
        found += await check(page, base + path)
    # A participant with a favourite, a useful mark and a suggestion waiting in the inbox.
    await sign_in(page, base, PARTICIPANT.email, PARTICIPANT.password)
    same_origin = {"Origin": base}
    for action in ("favourite", "useful"):
        await page.request.post(
            f"{base}{BOARD}/cards/1/{action}", form={"on": "1"}, headers=same_origin
        )
    await page.request.post(
        f"{base}{BOARD}/suggestions",
        form={"title": "Une suggestion", "url": "https://example.org/s"},
        headers=same_origin,
    )
    for path in (
        BOARD,
        f"{BOARD}?q=donnees&sort=useful",
        f"{BOARD}/cards/1",
        "/me",
        f"{BOARD}/brigade",
    ):
        found += await check(page, base + path)
    await context.close()
    # An expert: the schedule's "Take" buttons and their own sessions' bookings.
    context = await browser.new_context(locale="fr-CA")
    page = await context.new_page()
    await sign_in(page, base, TABLES["Table 1"], EXPERT_PASSWORD)
    found += await check(page, f"{base}{BOARD}/brigade")
    await context.close()
    context = await browser.new_context(locale="fr-CA")
    page = await context.new_page()
    await page.goto(f"{base}/login")
    await page.get_by_label("Courriel").fill(FACILITATOR.email)
    await page.get_by_label("Mot de passe").fill(FACILITATOR.password)
    await page.get_by_label("Mot de passe").press("Enter")
    await page.wait_for_url(f"{base}/")
    for path in (
        BOARD,
        f"{BOARD}/cards/1",
        f"{BOARD}/cards/1/edit",
        f"{BOARD}/cards/new",
        f"{BOARD}/columns/1/edit",
        f"{BOARD}/columns/new",
        f"{BOARD}/manage",
        f"{BOARD}/manage?kind=slot",
        f"{BOARD}/brigade",
        f"{BOARD}/brigade/report",
        "/me",
    ):
        found += await check(page, base + path)
    await context.close()
    assert found == []


async def sign_in(page: Page, base: str, email: str, password: str) -> None:
    await page.goto(f"{base}/login")
    await page.get_by_label("Courriel").fill(email)
    await page.get_by_label("Mot de passe").fill(password)
    await page.get_by_label("Mot de passe").press("Enter")
    await page.wait_for_url(f"{base}/")
