"""Bad input gets a clear 4xx in the reader's language, and nothing is written."""

from __future__ import annotations

import httpx
import pytest

from tests.factories import bearer, make_board, make_column, make_user
from toolbox.db import Database


@pytest.fixture
async def setting(db: Database):  # type: ignore[no-untyped-def]
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    column = await make_column(db, board, facilitator)
    return board, column, await bearer(db, facilitator)


async def card_count(client: httpx.AsyncClient, slug: str) -> int:
    document = (await client.get(f"/api/v1/boards/{slug}")).json()
    return sum(len(column["cards"]) for column in document["columns"])


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"title": "x"}, "column_id", "Ce champ est obligatoire."),
        ({"column_id": 0}, "title", "Ce champ est obligatoire."),
        (
            {"column_id": 0, "title": "x" * 201},
            "title",
            "C’est trop long (200 caractères au maximum).",
        ),
        (
            {"column_id": 0, "title": "x", "description": "x" * 20_001},
            "description",
            "C’est trop long (20000 caractères au maximum).",
        ),
        ({"column_id": 0, "title": 12}, "title", None),
        ({"column_id": "12", "title": "x"}, "column_id", None),
        (
            {"column_id": 0, "title": "x", "url": "javascript:alert(1)"},
            "url",
            "Le lien doit commencer par http:// ou https://.",
        ),
        ({"column_id": 0, "title": "x", "kind": "poem"}, "kind", None),
        ({"column_id": 0, "title": "x", "languages": ["français!"]}, "languages", None),
        ({"column_id": 0, "title": "x", "surprise": 1}, "surprise", None),
    ],
)
async def test_invalid_card_bodies(
    setting, client: httpx.AsyncClient, body, field, message
) -> None:  # type: ignore[no-untyped-def]
    board, column, auth = setting
    if body.get("column_id") == 0:
        body = {**body, "column_id": column.id}
    response = await client.post(f"/api/v1/boards/{board.slug}/cards", json=body, headers=auth)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid" and error["field"] == field
    assert error["message"].endswith(".") and "This" not in error["message"]  # French
    if message:
        assert error["message"] == message
    assert await card_count(client, board.slug) == 0


async def test_error_message_follows_accept_language(setting, client: httpx.AsyncClient) -> None:  # type: ignore[no-untyped-def]
    board, column, auth = setting
    response = await client.post(
        f"/api/v1/boards/{board.slug}/cards",
        json={"column_id": column.id, "title": "x", "url": "javascript:alert(1)"},
        headers={**auth, "Accept-Language": "en"},
    )
    assert response.json()["error"]["message"] == "The link must start with http:// or https://."


async def test_not_json_and_not_an_object(setting, client: httpx.AsyncClient) -> None:  # type: ignore[no-untyped-def]
    board, _column, auth = setting
    for content in (b"{not json", b"[1, 2]", b'"text"'):
        response = await client.post(
            f"/api/v1/boards/{board.slug}/cards",
            content=content,
            headers={**auth, "Content-Type": "application/json"},
        )
        assert response.status_code == 422, content
        assert response.json()["error"]["code"] == "invalid"


async def test_body_over_one_mebibyte_is_413(setting, client: httpx.AsyncClient) -> None:  # type: ignore[no-untyped-def]
    board, column, auth = setting
    big = {"column_id": column.id, "title": "x", "description": "x" * (1024 * 1024 + 10)}
    response = await client.post(f"/api/v1/boards/{board.slug}/cards", json=big, headers=auth)
    assert response.status_code == 413
    assert (
        response.json()["error"]["message"] == "La requête est trop volumineuse (1 Mio au maximum)."
    )

    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(20):
            yield b"x" * 65536

    streamed = await client.post(
        f"/api/v1/boards/{board.slug}/cards",
        content=chunks(),
        headers={**auth, "Content-Type": "application/json"},
    )
    assert streamed.status_code == 413
    assert await card_count(client, board.slug) == 0


async def test_stale_or_unknown_ids(setting, client: httpx.AsyncClient) -> None:  # type: ignore[no-untyped-def]
    _board, _column, auth = setting
    assert (await client.get("/api/v1/cards/999999999")).status_code == 404
    assert (await client.get("/api/v1/cards/not-a-number")).status_code == 404
    missing = await client.patch("/api/v1/cards/999999999", json={"version": 1}, headers=auth)
    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == "Cette ressource n’existe pas."
    unknown_route = await client.get("/api/v1/nothing-here")
    assert unknown_route.status_code == 404 and "error" in unknown_route.json()


async def test_move_to_a_column_of_another_board_is_refused(
    db: Database, setting, client: httpx.AsyncClient
) -> None:  # type: ignore[no-untyped-def]
    board, column, auth = setting
    other_facilitator = await make_user(db)
    other_board = await make_board(db, facilitator=other_facilitator)
    foreign = await make_column(db, other_board, other_facilitator)
    created = await client.post(
        f"/api/v1/boards/{board.slug}/cards",
        json={"column_id": column.id, "title": "x"},
        headers=auth,
    )
    moved = await client.post(
        f"/api/v1/cards/{created.json()['id']}/move",
        json={"column_id": foreign.id, "index": 0},
        headers=auth,
    )
    assert moved.status_code == 404


async def test_what_schemathesis_found_is_a_4xx_on_both_databases(  # type: ignore[no-untyped-def]
    setting, client: httpx.AsyncClient
) -> None:
    """Each of these was a 500 (on PostgreSQL, or on both): integers past the database's INTEGER,
    and NUL characters, which PostgreSQL cannot store or compare."""
    board, column, auth = setting
    cards = f"/api/v1/boards/{board.slug}/cards"
    huge = await client.post(cards, json={"column_id": 2**31, "title": "x"}, headers=auth)
    assert huge.status_code == 422 and huge.json()["error"]["field"] == "column_id"
    nul = await client.post(cards, json={"column_id": column.id, "title": "a\x00b"}, headers=auth)
    assert nul.status_code == 422 and nul.json()["error"]["field"] == "title"
    nul_label = {"column_id": column.id, "title": "x", "labels": ["a\x00"]}
    assert (await client.post(cards, json=nul_label, headers=auth)).status_code == 422
    assert await card_count(client, board.slug) == 0
    for path in (
        f"/api/v1/cards/{2**31}",
        "/api/v1/boards/a%00b",
        "/b/a%00b",
        f"/b/{board.slug}/import/a%00",
    ):
        assert (await client.get(path, headers=auth)).status_code == 404, path
    later = await client.get(f"/api/v1/boards/{board.slug}/events?after={2**40}", headers=auth)
    assert later.status_code == 200 and later.json()["events"] == []
    login = await client.post(
        "/login",
        data={"email": "a\x00b@example.org", "password": "x"},
        headers={"Origin": str(client.base_url).rstrip("/")},
    )
    assert login.status_code == 422
