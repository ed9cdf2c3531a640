"""A person registers on an open board in Chromium, confirms their address from the mail, and
books; and the accounts' pages (register, reset, a new password, /me with its tokens), looked at
in a laptop's and a phone's window, screenshotted into the git-ignored `screenshots/`."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from tests.e2e.test_layout import SHOTS, SIZES, WIDEST
from tests.factories import bearer, make_board, make_member, make_slot, make_user, origin
from tests.mailing import MailingServer, link_in
from tests.names import unique
from toolbox.board.models import Registration, Role

# One backend is enough for a browser: the server-side paths are tested on both.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("backend", ["sqlite"], indirect=True),
]


async def test_register_confirm_and_book_in_a_browser(
    browser: Browser, mailing: MailingServer
) -> None:
    facilitator = await make_user(mailing.db)
    board = await make_board(mailing.db, facilitator=facilitator, registration=Registration.open)
    expert = await make_member(mailing.db, board, Role.expert)
    slot = await make_slot(mailing.db, board, facilitator, expert=expert)
    email = f"{unique('navigatrice')}@example.org"
    context = await browser.new_context(locale="fr-CA")
    page = await context.new_page()

    await page.goto(f"{mailing.url}/b/{board.slug}/brigade/slots/{slot.id}")
    prompt = page.locator(".sign-in-to-book")
    await expect(prompt).to_contain_text("Connectez-vous ou inscrivez-vous pour réserver")
    await prompt.get_by_role("link", name="inscrivez-vous").click()
    await expect(page).to_have_url(f"{mailing.url}/register/{board.slug}")
    await page.get_by_label("Nom").fill("Camille Navigatrice")
    await page.get_by_label("Courriel").fill(email)
    await page.get_by_label("Mot de passe").fill("une phrase de passe")
    await page.get_by_role("button", name="S’inscrire").click()
    await expect(page.get_by_role("status")).to_contain_text("Consultez votre boîte")

    link = link_in(await mailing.mail_to(email), mailing.url)
    await page.goto(mailing.url + link)
    await page.get_by_role("button", name="Confirmer mon adresse").click()
    # Not signed in yet: the sign-in form, which then brings them to the board.
    await expect(page).to_have_url(re.compile(r"/login\?next="))
    await page.get_by_label("Courriel").fill(email)
    await page.get_by_label("Mot de passe").fill("une phrase de passe")
    await page.get_by_label("Mot de passe").press("Enter")
    await expect(page).to_have_url(f"{mailing.url}/b/{board.slug}")

    await page.goto(f"{mailing.url}/b/{board.slug}/brigade/slots/{slot.id}")
    await page.get_by_label("Votre organisme").fill("Musée régional")
    await page.get_by_label("Votre besoin").fill("Décrire nos collections en ligne.")
    await page.get_by_role("button", name="Réserver", exact=True).click()
    await expect(page.get_by_role("heading", name="Votre réservation")).to_be_visible()
    await context.close()


async def _look(page: Page, url: str, name: str, size: str, too_wide: list[str]) -> None:
    await page.goto(url)
    await page.wait_for_load_state("networkidle")
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=Path(SHOTS) / f"accounts-{name}-{size}.png", full_page=True)
    if size == "phone":
        found = await page.evaluate(WIDEST)
        if found["widest"] > 390 or found["outside"]:
            too_wide.append(f"{name}: {found}")


async def test_the_accounts_pages_fit_a_phone_and_are_screenshotted(
    browser: Browser, mailing: MailingServer
) -> None:
    facilitator = await make_user(mailing.db)
    board = await make_board(mailing.db, facilitator=facilitator, registration=Registration.open)
    person = await make_user(mailing.db)
    for _ in range(2):
        auth = await bearer(mailing.db, person)
    async with httpx.AsyncClient(base_url=mailing.url) as program:
        assert (await program.get("/api/v1/me/favourites", headers=auth)).status_code == 200
        asked = await program.post("/reset", data={"email": person.email}, headers=origin(program))
        assert asked.status_code == 200
    reset_link = link_in(await mailing.mail_to(person.email), mailing.url)
    too_wide: list[str] = []
    for size, (width, height) in SIZES.items():
        context = await browser.new_context(locale="fr-CA")
        page = await context.new_page()
        await page.set_viewport_size({"width": width, "height": height})
        await _look(page, f"{mailing.url}/register/{board.slug}", "register", size, too_wide)
        await _look(page, f"{mailing.url}/login", "login", size, too_wide)
        await _look(page, f"{mailing.url}/reset", "reset", size, too_wide)
        await page.get_by_label("Courriel").fill(f"{unique('x')}@example.org")
        await page.get_by_role("button", name="Envoyer le lien").click()
        await expect(page.get_by_role("status")).to_contain_text("Si un compte a cette adresse")
        await page.screenshot(path=Path(SHOTS) / f"accounts-reset-sent-{size}.png")
        await _look(page, mailing.url + reset_link, "new-password", size, too_wide)
        await page.goto(f"{mailing.url}/login")
        await page.get_by_label("Courriel").fill(person.email)
        await page.get_by_label("Mot de passe").fill("correct horse battery")
        await page.get_by_label("Mot de passe").press("Enter")
        await expect(page).to_have_url(f"{mailing.url}/")
        await _look(page, f"{mailing.url}/me", "me", size, too_wide)
        await page.locator("#api").scroll_into_view_if_needed()
        await page.screenshot(path=Path(SHOTS) / f"accounts-me-tokens-{size}.png")
        await context.close()
    assert too_wide == []
