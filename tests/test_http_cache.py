"""Conditional GET on the real server: an ETag on every page and API document of a board, a 304
when it still holds, and a new one when what the reader would see changes."""

from __future__ import annotations

import httpx
import pytest

from tests.factories import (
    bearer,
    make_board,
    make_card,
    make_column,
    make_member,
    make_slot,
    make_user,
)
from tests.factories import signed_in as sign_in
from toolbox.board.models import Board, Card, Role
from toolbox.db import Database
from toolbox.http_cache import body_etag, none_match

PLAIN = {"Accept-Encoding": "identity"}


async def a_board(db: Database) -> tuple[Board, Card, dict[str, str]]:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    column = await make_column(db, board, facilitator, "Stratégie numérique")
    card = await make_card(db, board, column, facilitator, title="Autodiagnostic")
    expert = await make_member(db, board, Role.expert)
    await make_slot(db, board, facilitator, expert=expert)
    return board, card, await bearer(db, facilitator)


def documents(board: Board, card: Card) -> list[str]:
    return [
        f"/b/{board.slug}",
        f"/b/{board.slug}/cards/{card.id}",
        f"/b/{board.slug}/brigade",
        f"/api/v1/boards/{board.slug}",
        f"/api/v1/boards/{board.slug}/slots",
        f"/api/v1/cards/{card.id}",
    ]


async def test_every_page_and_document_of_a_board_has_an_etag_and_answers_304(
    db: Database, client: httpx.AsyncClient
) -> None:
    board, card, _auth = await a_board(db)
    for path in documents(board, card):
        first = await client.get(path, headers=PLAIN)
        assert first.status_code == 200, path
        etag = first.headers["etag"]
        # Strong: the body's hash, or the tag of the view's kept rendering.
        assert etag.startswith('"') and len(etag) > 20, path
        assert first.headers["cache-control"] == "no-cache", path
        assert {"accept-language", "cookie"} <= _vary(first), path

        again = await client.get(path, headers={**PLAIN, "If-None-Match": etag})
        assert again.status_code == 304, path
        assert again.content == b"", path
        assert again.headers["etag"] == etag, path
        assert again.headers["cache-control"] == "no-cache", path
        assert {"accept-language", "cookie"} <= _vary(again), path
        assert "content-type" not in again.headers, path
        # The protections of DESIGN.md §6 are on the 304 too.
        assert "script-src 'self'" in again.headers["content-security-policy"], path
        assert again.headers["x-content-type-options"] == "nosniff", path

        listed = f'"nope", W/{etag}, "other"'
        assert (
            await client.get(path, headers={**PLAIN, "If-None-Match": listed})
        ).status_code == 304
        assert (await client.get(path, headers={**PLAIN, "If-None-Match": "*"})).status_code == 304
        stale = await client.get(path, headers={**PLAIN, "If-None-Match": '"stale"'})
        assert stale.status_code == 200 and stale.content == first.content, path


async def test_head_gives_the_etag_of_get_and_answers_304(
    db: Database, client: httpx.AsyncClient
) -> None:
    board, card, _auth = await a_board(db)
    page = await client.get(f"/b/{board.slug}/cards/{card.id}", headers=PLAIN)
    head = await client.head(f"/b/{board.slug}/cards/{card.id}", headers=PLAIN)
    assert head.status_code == 200 and head.headers["etag"] == page.headers["etag"]
    revalidated = await client.head(
        f"/b/{board.slug}/cards/{card.id}",
        headers={**PLAIN, "If-None-Match": page.headers["etag"]},
    )
    assert revalidated.status_code == 304


async def test_an_edit_through_the_api_gives_a_200_with_a_new_etag(
    db: Database, client: httpx.AsyncClient
) -> None:
    board, card, auth = await a_board(db)
    paths = [f"/b/{board.slug}", f"/b/{board.slug}/cards/{card.id}", f"/api/v1/boards/{board.slug}"]
    before = {path: (await client.get(path, headers=PLAIN)).headers["etag"] for path in paths}
    edited = await client.patch(
        f"/api/v1/cards/{card.id}", json={"version": card.version, "title": "Lexique"}, headers=auth
    )
    assert edited.status_code == 200, edited.text
    for path in paths:
        after = await client.get(path, headers={**PLAIN, "If-None-Match": before[path]})
        assert after.status_code == 200, path
        assert after.headers["etag"] != before[path] and "Lexique" in after.text, path


async def test_each_language_has_its_own_etag(db: Database, client: httpx.AsyncClient) -> None:
    board, _card, _auth = await a_board(db)
    for path in (f"/b/{board.slug}", f"/b/{board.slug}/brigade"):
        french = await client.get(path, headers={**PLAIN, "Accept-Language": "fr-CA"})
        english = await client.get(path, headers={**PLAIN, "Accept-Language": "en"})
        assert 'lang="fr-CA"' in french.text and 'lang="en"' in english.text
        assert french.headers["etag"] != english.headers["etag"], path
        # The French copy is no good to an English reader: a full page in English, not a 304.
        crossed = await client.get(
            path,
            headers={**PLAIN, "Accept-Language": "en", "If-None-Match": french.headers["etag"]},
        )
        assert crossed.status_code == 200 and 'lang="en"' in crossed.text
        by_cookie = await client.get(path, headers={**PLAIN, "Cookie": "toolbox_locale=en"})
        assert by_cookie.headers["etag"] == english.headers["etag"], path


async def test_a_signed_in_facilitator_and_a_visitor_get_different_etags_and_private_pages(
    db: Database, client: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    await make_column(db, board, facilitator, "Lexique et formation")
    visitor = await client.get(f"/b/{board.slug}", headers=PLAIN)
    async with httpx.AsyncClient(base_url=client.base_url, timeout=20) as browser:
        await sign_in(browser, facilitator)
        mine = await browser.get(f"/b/{board.slug}", headers=PLAIN)
        assert mine.headers["etag"] != visitor.headers["etag"]
        # Personal pages stay out of shared caches; a visitor's may be kept by any cache.
        assert mine.headers["cache-control"] == "private, no-cache"
        assert visitor.headers["cache-control"] == "no-cache"
        crossed = await browser.get(
            f"/b/{board.slug}", headers={**PLAIN, "If-None-Match": visitor.headers["etag"]}
        )
        assert crossed.status_code == 200 and crossed.headers["etag"] == mine.headers["etag"]
        revalidated = await browser.get(
            f"/b/{board.slug}", headers={**PLAIN, "If-None-Match": mine.headers["etag"]}
        )
        assert revalidated.status_code == 304
        assert revalidated.headers["cache-control"] == "private, no-cache"


async def test_api_documents_for_a_token_are_private(
    db: Database, client: httpx.AsyncClient
) -> None:
    board, _card, auth = await a_board(db)
    response = await client.get(f"/api/v1/boards/{board.slug}", headers={**PLAIN, **auth})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "private, no-cache"
    assert "etag" in response.headers


async def test_errors_writes_and_downloads_get_no_etag(
    db: Database, client: httpx.AsyncClient
) -> None:
    board, _card, auth = await a_board(db)
    missing = await client.get(f"/b/{board.slug}/cards/999999", headers=PLAIN)
    assert missing.status_code == 404 and "etag" not in missing.headers
    created = await client.post(
        f"/api/v1/boards/{board.slug}/columns", json={"title": "Nouvelle"}, headers=auth
    )
    assert created.status_code == 201 and "etag" not in created.headers
    download = await client.get(f"/b/{board.slug}/export.csv", headers={**PLAIN, **auth})
    assert download.status_code == 200 and "etag" not in download.headers


@pytest.mark.parametrize(
    ("header", "etag", "matches"),
    [
        (None, '"a"', False),
        ('"a"', '"a"', True),
        ('W/"a"', '"a"', True),
        ('"a"', 'W/"a"', True),
        ('"b", "a"', '"a"', True),
        ('"b",W/"a"', '"a"', True),
        ('"a,b"', '"a"', False),
        ('"ab"', '"a"', False),
        ("*", '"a"', True),
        ('"b"', '"a"', False),
        ("a", '"a"', False),
    ],
)
def test_if_none_match_is_read_as_rfc_9110_says(
    header: str | None, etag: str, matches: bool
) -> None:
    assert none_match(header, etag) is matches


def test_the_body_etag_is_strong_and_follows_every_byte() -> None:
    assert body_etag(b"<p>a</p>") == body_etag(b"<p>a</p>")
    assert body_etag(b"<p>a</p>") != body_etag(b"<p>b</p>")
    assert not body_etag(b"x").startswith("W/") and len(body_etag(b"x")) == 34


def _vary(response: httpx.Response) -> set[str]:
    return {v.strip().lower() for v in response.headers.get("vary", "").split(",") if v.strip()}
