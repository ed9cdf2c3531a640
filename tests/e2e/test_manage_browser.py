"""The manage page in a real browser: what is hard to take back asks first, and an archive can
be undone at once. Every change made here is undone before the test ends (the demo server is
shared by the browser tests)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.async_api import Browser, Dialog, expect

from tests.e2e.sessions import signed_in_page
from tests.servers import LiveServer, wait_until
from toolbox.demo import FACILITATOR

pytestmark = pytest.mark.browser
BOARD = "/b/accelerateur-numerique"


async def until(condition: Callable[[], bool]) -> None:
    async def check() -> bool:
        return condition()

    await wait_until(check)


async def test_archiving_a_column_asks_first_and_can_be_undone(
    browser: Browser, demo_server: LiveServer
) -> None:
    context, page = await signed_in_page(browser, demo_server, FACILITATOR, BOARD)
    column = page.locator(".column").last
    column_id = await column.get_attribute("data-column-id")
    title = await column.locator("h2").evaluate("h => h.firstChild.textContent.trim()")
    asked: list[str] = []

    async def answer(dialog: Dialog, accept: bool) -> None:
        asked.append(dialog.message)
        await (dialog.accept() if accept else dialog.dismiss())

    page.once("dialog", lambda dialog: answer(dialog, accept=False))
    await column.get_by_role("link", name="Options de la colonne").click()
    await column.get_by_role("button", name="Archiver la colonne").click()
    await until(lambda: len(asked) == 1)
    assert f"Archiver la colonne « {title} »" in asked[0]
    await expect(page.locator(f"#column-{column_id}")).to_be_visible()  # nothing happened

    page.once("dialog", lambda dialog: answer(dialog, accept=True))
    await column.get_by_role("button", name="Archiver la colonne").click()
    await expect(page).to_have_url(f"{demo_server.url}{BOARD}/manage?archived=column-{column_id}")
    notice = page.get_by_role("status").filter(has_text=f"« {title} » est archivée.")
    await expect(notice).to_be_visible()
    await notice.get_by_role("button", name="Annuler : la restaurer").click()
    await expect(page).to_have_url(f"{demo_server.url}{BOARD}")
    await expect(page.locator(".column").last).to_have_id(f"column-{column_id}")
    assert len(asked) == 2
    await context.close()


async def test_lowering_a_role_asks_and_raising_one_does_not(
    browser: Browser, demo_server: LiveServer
) -> None:
    context, page = await signed_in_page(browser, demo_server, FACILITATOR, f"{BOARD}/manage")
    asked: list[str] = []
    answers = [True]

    async def answer(dialog: Dialog) -> None:
        asked.append(dialog.message)
        await (dialog.accept() if answers.pop(0) else dialog.dismiss())

    page.on("dialog", answer)
    person = "Bibliothèque municipale de Trois-Rivières"
    role = page.get_by_label(f"Rôle de {person}")
    row = page.get_by_role("row").filter(has_text=person)
    await role.select_option("expert")
    async with page.expect_response(lambda response: response.url.endswith("/manage")):
        await row.get_by_role("button", name="Changer").click()
    await page.reload()  # the page as the server has it now
    await expect(page.get_by_label(f"Rôle de {person}")).to_have_value("expert")
    assert asked == []  # raising a role asks nothing

    answers[:] = [False]
    await page.get_by_label(f"Rôle de {person}").select_option("participant")
    await row.get_by_role("button", name="Changer").click()
    await until(lambda: len(asked) == 1)
    assert asked[0].startswith(f"Abaisser le rôle de {person}?")
    await page.reload()
    await expect(page.get_by_label(f"Rôle de {person}")).to_have_value("expert")

    answers[:] = [True]
    await page.get_by_label(f"Rôle de {person}").select_option("participant")
    async with page.expect_response(lambda response: response.url.endswith("/manage")):
        await row.get_by_role("button", name="Changer").click()
    assert len(asked) == 2
    await page.reload()
    await expect(page.get_by_label(f"Rôle de {person}")).to_have_value("participant")
    await context.close()


async def test_the_label_manager_in_the_browser(browser: Browser, demo_server: LiveServer) -> None:
    context, page = await signed_in_page(browser, demo_server, FACILITATOR, f"{BOARD}/manage")
    asked: list[str] = []

    async def accept(dialog: Dialog) -> None:
        asked.append(dialog.message)
        await dialog.accept()

    page.on("dialog", accept)
    labels = page.locator("section[aria-labelledby=labels]")
    new = labels.locator("form", has=page.get_by_role("button", name="Ajouter l’étiquette"))
    await new.get_by_label("Nom").fill("Atelier du jeudi")
    await new.get_by_label("Couleur").select_option(label="Violet")
    await new.get_by_role("button", name="Ajouter l’étiquette").click()
    item = labels.locator("li", has=page.locator(".label", has_text="Atelier du jeudi"))
    await expect(item.locator(".label-purple")).to_be_visible()
    assert asked == []

    await item.get_by_label("Nom").fill("Atelier du vendredi")
    await item.get_by_role("button", name="Enregistrer").click()
    item = labels.locator("li", has=page.locator(".label", has_text="Atelier du vendredi"))
    await expect(item).to_be_visible()

    await item.get_by_role("button", name="Supprimer").click()
    await expect(labels.locator(".label", has_text="Atelier du vendredi")).to_have_count(0)
    assert asked == ["Supprimer l’étiquette « Atelier du vendredi »? 0 ressource la perdra."]
    await context.close()
