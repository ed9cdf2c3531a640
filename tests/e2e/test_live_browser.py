"""Two people, two browsers: what the facilitator moves, the participant sees move, live."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from tests.e2e.sessions import signed_in_page
from tests.servers import ROOT, LiveServer
from toolbox.demo import FACILITATOR, PARTICIPANT

pytestmark = pytest.mark.browser
BOARD = "/b/accelerateur-numerique"


async def wait_until_live(page: Page) -> None:
    # The presence line fills in once the websocket is open and the hub has counted us.
    await expect(page.locator("#presence")).to_contain_text("ici", timeout=10_000)


async def test_drag_to_another_column_shows_up_for_the_participant(
    browser: Browser, demo_server: LiveServer
) -> None:
    facilitator_context, facilitator = await signed_in_page(
        browser, demo_server, FACILITATOR, BOARD
    )
    participant_context, participant = await signed_in_page(
        browser, demo_server, PARTICIPANT, BOARD
    )
    await wait_until_live(facilitator)
    await wait_until_live(participant)

    source = facilitator.locator(".column").nth(0)
    target = facilitator.locator(".column").nth(1)
    card = source.locator(".card").first
    title = (await card.locator(".card-title").inner_text()).strip()
    target_id = await target.get_attribute("data-column-id")
    await card.drag_to(target.locator(".card").first)

    moved = participant.locator(f"#column-{target_id} .card", has_text=title)
    await expect(moved).to_be_visible(timeout=10_000)
    await expect(participant.locator("#live-announcer")).to_contain_text(
        f"« {title} » déplacée vers"
    )
    # Both browsers show the database's order, without a reload.
    facilitator_titles = await facilitator.locator(
        f"#column-{target_id} .card-title"
    ).all_inner_texts()
    participant_titles = await participant.locator(
        f"#column-{target_id} .card-title"
    ).all_inner_texts()
    assert facilitator_titles == participant_titles
    assert title in participant_titles
    await facilitator_context.close()
    await participant_context.close()


async def test_keyboard_move_to_shows_up_for_the_participant(
    browser: Browser, demo_server: LiveServer
) -> None:
    facilitator_context, facilitator = await signed_in_page(
        browser, demo_server, FACILITATOR, BOARD
    )
    participant_context, participant = await signed_in_page(
        browser, demo_server, PARTICIPANT, BOARD
    )
    await wait_until_live(participant)

    card = facilitator.locator(".column").nth(2).locator(".card").first
    title = (await card.locator(".card-title").inner_text()).strip()
    last_column = facilitator.locator(".column").last
    last_title = await last_column.locator("h2").evaluate("h => h.firstChild.textContent.trim()")
    last_id = await last_column.get_attribute("data-column-id")
    await card.locator(".card-title").focus()
    await facilitator.keyboard.press("Enter")
    await expect(facilitator.locator("#move")).to_be_visible()
    column_select = facilitator.get_by_label("Colonne")
    await column_select.focus()
    await column_select.select_option(label=last_title)
    position = facilitator.locator("#move").get_by_label("Position")
    await position.focus()
    await facilitator.keyboard.press("Control+a")
    await facilitator.keyboard.type("1")
    await facilitator.keyboard.press("Enter")

    first_in_last = participant.locator(f"#column-{last_id} .card").first
    await expect(first_in_last).to_contain_text(title, timeout=10_000)
    await expect(participant.locator("#live-announcer")).to_contain_text(
        f"« {title} » déplacée vers {last_title} par {FACILITATOR.name}"
    )
    await facilitator_context.close()
    await participant_context.close()


@pytest.fixture
def facilitator_token(demo_server: LiveServer) -> str:
    return subprocess.run(
        [sys.executable, "-m", "toolbox.cli", "user", "token", FACILITATOR.email],
        cwd=ROOT,
        env={**os.environ, "TOOLBOX_DATABASE_URL": demo_server.database_url},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


async def test_remote_update_waits_while_someone_types_in_the_column(
    browser: Browser, demo_server: LiveServer, facilitator_token: str
) -> None:
    token = facilitator_token
    context, page = await signed_in_page(browser, demo_server, FACILITATOR, BOARD)
    await wait_until_live(page)
    column = page.locator(".column").nth(3)
    column_id = await column.get_attribute("data-column-id")
    await column.get_by_role("link", name="Options de la colonne").click()
    title_input = column.locator(".add-card").get_by_label("Titre")
    await title_input.fill("Ce que je suis en train d’écrire")

    async with httpx.AsyncClient(base_url=demo_server.url) as api:
        response = await api.post(
            "/api/v1/boards/accelerateur-numerique/cards",
            json={"column_id": int(column_id or 0), "title": "Ajout à distance"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 201
    await page.wait_for_timeout(1000)
    # Still typing: the column is not re-rendered under the person's hands.
    await expect(title_input).to_have_value("Ce que je suis en train d’écrire")
    await expect(title_input).to_be_focused()
    await expect(page.locator(".card", has_text="Ajout à distance")).to_have_count(0)
    # Done typing (focus leaves the board): the held update is applied.
    await page.locator("h1").click()
    await page.locator("#main").focus()
    await expect(
        page.locator(f"#column-{column_id} .card", has_text="Ajout à distance")
    ).to_be_visible()
    await context.close()


async def server_order(server: LiveServer, token: str) -> dict[int, list[int]]:
    """Every column's card ids in the database's order, through the API."""
    async with httpx.AsyncClient(base_url=server.url) as api:
        board = (
            await api.get(
                "/api/v1/boards/accelerateur-numerique",
                headers={"Authorization": f"Bearer {token}"},
            )
        ).json()
    return {column["id"]: [card["id"] for card in column["cards"]] for column in board["columns"]}


async def page_order(page: Page, column_id: int) -> list[int]:
    return list(
        await page.locator(f"#column-{column_id} .card").evaluate_all(
            "cards => cards.map(card => Number(card.dataset.cardId))"
        )
    )


async def ends_in_order(page: Page, column_id: int, expected: list[int]) -> None:
    """Wait (10 s at most) until the page shows `expected` in the column, its count too."""
    for _ in range(100):
        if await page_order(page, column_id) == expected:
            break
        await page.wait_for_timeout(100)
    assert await page_order(page, column_id) == expected
    count = page.locator(f"#column-{column_id}-title .count")
    await expect(count).to_have_text(str(len(expected)))


def columns_read(page: Page) -> list[str]:
    """The addresses of the columns the page reads again from now on (the move's fallback)."""
    urls: list[str] = []
    page.on(
        "request", lambda request: urls.append(request.url) if "/columns/" in request.url else None
    )
    return urls


async def test_a_drag_in_one_window_moves_the_same_card_element_in_the_other(
    browser: Browser, demo_server: LiveServer, facilitator_token: str
) -> None:
    """The move is applied to the page as it is: the card element moves (it keeps what is
    attached to it, and the keyboard's focus), no column is read again, the order is the
    database's, and the screen reader hears it."""
    a_context, a = await signed_in_page(browser, demo_server, FACILITATOR, BOARD)
    b_context, b = await signed_in_page(browser, demo_server, PARTICIPANT, BOARD)
    await wait_until_live(a)
    await wait_until_live(b)
    source = a.locator(".column").nth(1)
    target = a.locator(".column").nth(2)
    source_id = int(await source.get_attribute("data-column-id") or 0)
    target_id = int(await target.get_attribute("data-column-id") or 0)
    before = await server_order(demo_server, facilitator_token)
    assert len(before[target_id]) >= 2
    moved = before[source_id][0]
    await b.evaluate(f"document.getElementById('card-{moved}').dataset.kept = 'yes'")
    await b.locator(f"#card-{moved} .card-title").focus()
    read = columns_read(b)

    await a.wait_for_function(
        "() => window.Sortable && Sortable.get(document.querySelector('#live ol.cards'))"
    )
    await source.locator(f"#card-{moved}").drag_to(target.locator(".card").first)

    for _ in range(100):
        truth = await server_order(demo_server, facilitator_token)
        if moved in truth[target_id]:
            break
        await a.wait_for_timeout(100)
    assert moved in truth[target_id]
    for column_id in (source_id, target_id):
        await ends_in_order(b, column_id, truth[column_id])
        await ends_in_order(a, column_id, truth[column_id])
    title = (await b.locator(f"#card-{moved} .card-title").inner_text()).strip()
    await expect(b.locator("#live-announcer")).to_contain_text(f"« {title} » déplacée vers")
    assert await b.locator(f"#card-{moved}").get_attribute("data-kept") == "yes"
    await expect(b.locator(f"#card-{moved} .card-title")).to_be_focused()
    assert read == []
    await a_context.close()
    await b_context.close()


async def test_a_page_that_drifted_reads_the_columns_again_and_shows_the_servers_order(
    browser: Browser, demo_server: LiveServer, facilitator_token: str
) -> None:
    context, page = await signed_in_page(browser, demo_server, PARTICIPANT, BOARD)
    await wait_until_live(page)
    order = await server_order(demo_server, facilitator_token)
    origin, destination, third = list(order)[3:6]
    assert len(order[origin]) >= 3 and len(order[destination]) >= 2
    # This page drifts: a card of the destination gone, the origin's last card put first.
    await page.evaluate(
        f"""() => {{
        document.getElementById('card-{order[destination][1]}').remove();
        const list = document.getElementById('column-{origin}-cards');
        list.prepend(list.lastElementChild);
    }}"""
    )
    read = columns_read(page)
    mover = order[origin][1]
    async with httpx.AsyncClient(base_url=demo_server.url) as api:
        moved = await api.post(
            f"/api/v1/cards/{mover}/move",
            json={"column_id": destination, "index": 0},
            headers={"Authorization": f"Bearer {facilitator_token}"},
        )
        assert moved.status_code == 200
    truth = await server_order(demo_server, facilitator_token)
    await ends_in_order(page, destination, truth[destination])
    await ends_in_order(page, origin, truth[origin])
    assert any(url.endswith(f"/columns/{destination}") for url in read)
    assert any(url.endswith(f"/columns/{origin}") for url in read)

    # A card this page does not have at all: the column read again brings it.
    absent = truth[destination][-1]
    await page.evaluate(f"document.getElementById('card-{absent}').remove()")
    async with httpx.AsyncClient(base_url=demo_server.url) as api:
        moved = await api.post(
            f"/api/v1/cards/{absent}/move",
            json={"column_id": third, "index": 1},
            headers={"Authorization": f"Bearer {facilitator_token}"},
        )
        assert moved.status_code == 200
    truth = await server_order(demo_server, facilitator_token)
    await ends_in_order(page, third, truth[third])
    await ends_in_order(page, destination, truth[destination])
    assert truth[third][1] == absent
    await expect(page.locator(f"#column-{third} #card-{absent} .card-title")).to_be_visible()
    await context.close()


async def test_a_column_read_again_is_the_facilitators_and_can_still_be_dragged(
    browser: Browser, demo_server: LiveServer, facilitator_token: str
) -> None:
    context, page = await signed_in_page(browser, demo_server, FACILITATOR, BOARD)
    await wait_until_live(page)
    await page.wait_for_function(
        "() => window.Sortable && Sortable.get(document.querySelector('#live ol.cards'))"
    )
    order = await server_order(demo_server, facilitator_token)
    origin, destination = list(order)[0:2]
    await page.evaluate(f"document.getElementById('card-{order[destination][0]}').remove()")
    read = columns_read(page)
    async with httpx.AsyncClient(base_url=demo_server.url) as api:
        moved = await api.post(
            f"/api/v1/cards/{order[origin][0]}/move",
            json={"column_id": destination, "index": 1},
            headers={"Authorization": f"Bearer {facilitator_token}"},
        )
        assert moved.status_code == 200
    truth = await server_order(demo_server, facilitator_token)
    await ends_in_order(page, destination, truth[destination])
    assert any(url.endswith(f"/columns/{destination}") for url in read)
    column = page.locator(f"#column-{destination}")
    await expect(column.locator("a.column-tools")).to_have_text("Options de la colonne")
    await page.wait_for_function(
        f"() => Sortable.get(document.getElementById('column-{destination}-cards'))"
    )
    await context.close()
