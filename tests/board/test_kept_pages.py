"""The board page kept per change (toolbox.renderings): rendered once per board seq, audience,
language and filter set, served to everyone with the same key, with only the account menu
rendered per person; revalidated with an ETag. SQLite and PostgreSQL, over a real server."""

from __future__ import annotations

from datetime import timedelta

import httpx

from tests.factories import (
    bearer,
    make_board,
    make_card,
    make_column,
    make_member,
    make_slot,
    make_user,
    members_board_with_a_secret,
    signed_in,
)
from toolbox.accounts.models import User
from toolbox.board.models import Role
from toolbox.db import Database


async def page_for(client: httpx.AsyncClient, person: User, path: str) -> httpx.Response:
    """`path` as `person` sees it, signed in through the form in a browser of their own."""
    async with httpx.AsyncClient(base_url=client.base_url) as theirs:
        await signed_in(theirs, person)
        return await theirs.get(path)


async def test_a_change_gives_the_next_read_a_new_page_and_tag(
    db: Database, client: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    column = await make_column(db, board, facilitator)
    await make_card(db, board, column, facilitator, title="Glossaire du numérique")
    first = await client.get(f"/b/{board.slug}")
    again = await client.get(f"/b/{board.slug}")
    assert first.headers["etag"] == again.headers["etag"]
    assert first.text == again.text
    # Written straight to the database, as another process or the command line would.
    await make_card(db, board, column, facilitator, title="Autodiagnostic de maturité")
    after = await client.get(f"/b/{board.slug}")
    assert "Autodiagnostic de maturité" in after.text
    assert after.headers["etag"] != first.headers["etag"]


async def test_a_browser_revalidates_and_gets_a_304_without_a_body(
    db: Database, client: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    page = await client.get(f"/b/{board.slug}")
    assert page.headers["cache-control"] == "no-cache"
    tag = page.headers["etag"]
    unchanged = await client.get(f"/b/{board.slug}", headers={"If-None-Match": f'W/"x", {tag}'})
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged.headers["etag"] == tag
    other = await client.get(f"/b/{board.slug}", headers={"If-None-Match": '"stale"'})
    assert other.status_code == 200 and other.text == page.text


async def test_a_facilitators_page_never_reaches_a_visitor(
    db: Database, client: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    await make_column(db, board, facilitator, "Stratégie")
    facilitators = await page_for(client, facilitator, f"/b/{board.slug}")
    assert f"/b/{board.slug}/manage" in facilitators.text
    assert facilitators.headers["cache-control"] == "private, no-cache"
    visitors = await client.get(f"/b/{board.slug}")
    assert f"/b/{board.slug}/manage" not in visitors.text
    assert "data-card-move" not in visitors.text
    assert facilitator.email not in visitors.text
    assert visitors.headers["etag"] != facilitators.headers["etag"]


async def test_two_participants_share_the_page_but_not_their_menus(
    db: Database, client: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    one = await make_member(db, board, Role.participant)
    two = await make_member(db, board, Role.participant)
    mine = await page_for(client, one, f"/b/{board.slug}")
    yours = await page_for(client, two, f"/b/{board.slug}")
    assert one.display_name in mine.text and two.display_name not in mine.text
    assert two.display_name in yours.text and one.display_name not in yours.text
    # The same shared rendering around each menu: the tags differ only in their personal part.
    assert mine.headers["etag"] != yours.headers["etag"]
    assert mine.headers["etag"].split(".")[0] == yours.headers["etag"].split(".")[0]


async def test_each_language_and_filter_set_has_its_own_page(
    db: Database, client: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    column = await make_column(db, board, facilitator)
    await make_card(db, board, column, facilitator, title="Glossaire du numérique")
    await make_card(db, board, column, facilitator, title="Plan d’action")
    french = await client.get(f"/b/{board.slug}", headers={"Accept-Language": "fr-CA"})
    english = await client.get(f"/b/{board.slug}", headers={"Accept-Language": "en"})
    assert "Rechercher" in french.text and "Search" in english.text
    assert "Rechercher" not in english.text
    found = await client.get(f"/b/{board.slug}", params={"q": "glossaire"})
    other = await client.get(f"/b/{board.slug}", params={"q": "plan"})
    assert "1 ressource trouvée" in found.text and "1 ressource trouvée" in other.text
    results = found.text.split('id="results-title"')[1]
    assert "<mark>Glossaire</mark> du numérique" in results and "Plan d’action" not in results
    assert "<mark>Plan</mark> d’action" in other.text.split('id="results-title"')[1]


async def test_a_members_board_page_never_reaches_an_outsider(
    db: Database, client: httpx.AsyncClient
) -> None:
    board, member = await members_board_with_a_secret(db)
    assert "Confidentiel" in (await page_for(client, member, f"/b/{board.slug}")).text
    outsider = await make_user(db)
    refused = await page_for(client, outsider, f"/b/{board.slug}")
    assert refused.status_code == 403
    assert "Confidentiel" not in refused.text
    visitor = await client.get(f"/b/{board.slug}")
    assert visitor.status_code in {401, 303}
    assert "Confidentiel" not in visitor.text


async def test_the_board_document_is_kept_per_audience_and_revalidated(
    db: Database, client: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    column = await make_column(db, board, facilitator)
    card = await make_card(db, board, column, facilitator, title="Glossaire du numérique")
    auth = await bearer(db, facilitator)
    assert (await client.delete(f"/api/v1/cards/{card.id}", headers=auth)).status_code == 200
    # The facilitator asks for the archived cards first; a visitor asking the same gets none.
    theirs = await client.get(f"/api/v1/boards/{board.slug}?archived=1", headers=auth)
    visitors = await client.get(f"/api/v1/boards/{board.slug}?archived=1")
    assert [c["title"] for c in theirs.json()["columns"][0]["cards"]] == ["Glossaire du numérique"]
    assert visitors.json()["columns"][0]["cards"] == []
    assert theirs.headers["cache-control"] == "private, no-cache"
    tag = visitors.headers["etag"]
    again = await client.get(
        f"/api/v1/boards/{board.slug}?archived=1", headers={"If-None-Match": tag}
    )
    assert again.status_code == 304 and again.content == b""
    await make_card(db, board, column, facilitator, title="Plan d’action")
    changed = await client.get(f"/api/v1/boards/{board.slug}", headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["etag"] != tag
    assert changed.json()["seq"] > visitors.json()["seq"]


async def test_the_slot_list_is_kept_and_follows_a_new_slot(
    db: Database, client: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    await make_slot(db, board, facilitator, place="Table 1")
    first = await client.get(f"/api/v1/boards/{board.slug}/slots")
    assert [s["place"] for s in first.json()["slots"]] == ["Table 1"]
    tag = first.headers["etag"]
    same = await client.get(f"/api/v1/boards/{board.slug}/slots", headers={"If-None-Match": tag})
    assert same.status_code == 304
    await make_slot(db, board, facilitator, place="Table 2", starts_in=timedelta(days=3))
    after = await client.get(f"/api/v1/boards/{board.slug}/slots", headers={"If-None-Match": tag})
    assert after.status_code == 200
    assert [s["place"] for s in after.json()["slots"]] == ["Table 1", "Table 2"]


async def test_a_card_page_is_kept_and_follows_an_edit(
    db: Database, client: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    column = await make_column(db, board, facilitator)
    card = await make_card(db, board, column, facilitator, title="Glossaire du numérique")
    first = await client.get(f"/b/{board.slug}/cards/{card.id}")
    assert "Glossaire du numérique" in first.text
    tag = first.headers["etag"]
    same = await client.get(f"/b/{board.slug}/cards/{card.id}", headers={"If-None-Match": tag})
    assert same.status_code == 304
    auth = await bearer(db, facilitator)
    edited = await client.patch(
        f"/api/v1/cards/{card.id}",
        json={"title": "Glossaire du numérique culturel", "version": card.version},
        headers=auth,
    )
    assert edited.status_code == 200, edited.text
    after = await client.get(f"/b/{board.slug}/cards/{card.id}", headers={"If-None-Match": tag})
    assert after.status_code == 200 and "Glossaire du numérique culturel" in after.text
    missing = await client.get(f"/b/{board.slug}/cards/{card.id + 1000}")
    assert missing.status_code == 404
