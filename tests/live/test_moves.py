"""A card move over real sockets, as browsers receive it: the move, not its columns redrawn.

The frame is measured in bytes as it arrives, for a visitor and a facilitator, on SQLite and on
PostgreSQL (the `server` fixture runs both); the column a browser reads again when its order
differs is the same HTML the board page draws.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
from markupsafe import escape
from websockets.asyncio.client import ClientConnection

from tests.live.test_websocket import live_board, socket
from tests.servers import LiveServer
from toolbox.board.live import MOVE_BYTES
from toolbox.board.ordering import order_check
from toolbox.db import Database


async def next_update(ws: ClientConnection, seq: int) -> bytes:
    """The frame of the board's event `seq`, as the bytes that came over the socket."""
    async with asyncio.timeout(10):
        while True:
            frame = await ws.recv(decode=False)
            if b'"presence"' in frame[:20] or b'id="presence"' in frame:
                continue
            if f'"seq":{seq},'.encode() in frame or f'data-seq="{seq}"'.encode() in frame:
                return frame


async def cards_of(client: httpx.AsyncClient, slug: str) -> dict[int, list[int]]:
    board = (await client.get(f"/api/v1/boards/{slug}")).json()
    return {c["id"]: [card["id"] for card in c["cards"]] for c in board["columns"]}


async def fill(
    client: httpx.AsyncClient, slug: str, columns: list[int], auth: dict[str, str], title: str
) -> None:
    for column in columns:
        for n in range(12):
            created = await client.post(
                f"/api/v1/boards/{slug}/cards",
                json={"column_id": column, "title": f"{title} {n}"},
                headers=auth,
            )
            assert created.status_code == 201


async def test_a_card_move_reaches_a_browser_in_at_most_512_bytes(
    db: Database, server: LiveServer, client: httpx.AsyncClient
) -> None:
    board, facilitator, auth, columns, _seq = await live_board(db, client)
    await fill(client, board.slug, columns, auth, "Ressource — inventaire des outils numériques")
    seq = (await client.get(f"/api/v1/boards/{board.slug}")).json()["seq"]
    async with (
        socket(server, board.slug, query="", resume=seq) as visitor,
        socket(server, board.slug, query="", headers=auth, resume=seq) as facilitator_ws,
    ):
        card = (await cards_of(client, board.slug))[columns[0]][-1]
        moved = await client.post(
            f"/api/v1/cards/{card}/move", json={"column_id": columns[1], "index": 5}, headers=auth
        )
        assert moved.status_code == 200
        frames = [await next_update(ws, seq + 1) for ws in (visitor, facilitator_ws)]
    order = await cards_of(client, board.slug)
    assert order[columns[1]][5] == card
    for frame in frames:
        assert len(frame) <= MOVE_BYTES == 512, len(frame)
        message: dict[str, Any] = json.loads(frame)
        assert message["seq"] == seq + 1
        assert message["move"] == {
            "card": card,
            "from": columns[0],
            "to": columns[1],
            "index": 5,
            "order": order_check(order[columns[1]]),
            "from_order": order_check(order[columns[0]]),
        }
        name = facilitator.display_name
        assert message["say"] == (
            f"Carte « Ressource — inventaire des outils numériques 11 » déplacée vers Droite "
            f"par {name}"
        )
    # Moved within its column: one order, both checks alike.
    moved = await client.post(
        f"/api/v1/cards/{card}/move", json={"column_id": columns[1], "index": 0}, headers=auth
    )
    assert moved.status_code == 200
    events = (await client.get(f"/api/v1/boards/{board.slug}/events?after={seq + 1}")).json()
    data = events["events"][0]["data"]
    order = await cards_of(client, board.slug)
    assert data["order"] == data["from_order"] == order_check(order[columns[1]])


async def test_long_titles_are_shortened_in_the_sentence_not_the_move(
    db: Database, server: LiveServer, client: httpx.AsyncClient
) -> None:
    board, _facilitator, auth, columns, seq = await live_board(db, client)
    long_title = "Répertoire élargi des ressources éducatives libres québécoises " * 3
    created = await client.post(
        f"/api/v1/boards/{board.slug}/cards",
        json={"column_id": columns[0], "title": long_title[:200]},
        headers=auth,
    )
    renamed = await client.patch(
        f"/api/v1/columns/{columns[1]}", json={"title": "Épinglées " * 20}, headers=auth
    )
    assert created.status_code == 201 and renamed.status_code == 200
    async with socket(server, board.slug, query="", resume=seq + 2) as visitor:
        moved = await client.post(
            f"/api/v1/cards/{created.json()['id']}/move",
            json={"column_id": columns[1], "index": 0},
            headers=auth,
        )
        assert moved.status_code == 200
        frame = await next_update(visitor, seq + 3)
    assert len(frame) <= 512, len(frame)
    message = json.loads(frame)
    assert message["move"]["card"] == created.json()["id"]
    assert message["say"].startswith("Carte « Répertoire élargi") and "…" in message["say"]


async def test_the_column_fragment_is_the_boards_column_for_each_audience(
    db: Database, server: LiveServer, client: httpx.AsyncClient
) -> None:
    board, _facilitator, auth, columns, _seq = await live_board(db, client)
    await fill(client, board.slug, columns[:1], auth, "Fiche <b>")
    page = (await client.get(f"/b/{board.slug}")).text
    fragment = await client.get(f"/b/{board.slug}/columns/{columns[0]}")
    assert fragment.status_code == 200
    assert fragment.headers["content-type"].startswith("text/html")
    html = fragment.text
    assert html.strip().startswith(
        f'<section class="column" tabindex="-1" id="column-{columns[0]}"'
    )
    assert html.strip() in page  # the very same column as on the board page
    assert str(escape("Fiche <b> 11")) in html and "<b>" not in html
    assert "column-tools" not in html  # a visitor's
    as_facilitator = await client.get(f"/b/{board.slug}/columns/{columns[0]}", headers=auth)
    assert "column-tools" in as_facilitator.text
    again = await client.get(
        f"/b/{board.slug}/columns/{columns[0]}",
        headers={"If-None-Match": fragment.headers["ETag"]},
    )
    assert again.status_code == 304


async def test_an_unknown_or_archived_column_is_a_404_with_a_sentence(
    db: Database, server: LiveServer, client: httpx.AsyncClient
) -> None:
    board, _facilitator, auth, columns, _seq = await live_board(db, client)
    archived = await client.delete(f"/api/v1/columns/{columns[1]}", headers=auth)
    assert archived.status_code in (200, 204)
    french = {"Accept-Language": "fr-CA"}
    for column in (columns[1], 999_999):
        missing = await client.get(f"/b/{board.slug}/columns/{column}", headers=french)
        assert missing.status_code == 404
        assert "Cette colonne n’existe pas dans ce tableau." in missing.text
    bad = await client.get(f"/b/{board.slug}/columns/abc", headers=french)
    assert 400 <= bad.status_code < 500
