"""Signing a demo account in through the real login form, in a browser context of its own."""

from __future__ import annotations

from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.servers import LiveServer
from toolbox.demo import DemoAccount


async def signed_in_page(
    browser: Browser,
    server: LiveServer,
    account: DemoAccount,
    then: str = "/",
    *,
    javascript: bool = True,
) -> tuple[BrowserContext, Page]:
    """A French-speaking browser context, signed in as `account`, on the page `then` (the login
    form posts itself, so this works with `javascript=False` too)."""
    context = await browser.new_context(locale="fr-CA", java_script_enabled=javascript)
    page = await context.new_page()
    await page.goto(f"{server.url}/login?next={then}")
    await page.get_by_label("Courriel").fill(account.email)
    await page.get_by_label("Mot de passe").fill(account.password)
    await page.get_by_label("Mot de passe").press("Enter")
    await expect(page).to_have_url(f"{server.url}{then}")
    return context, page
