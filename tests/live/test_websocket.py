"""The board's websocket over real sockets: order, resume, convergence, origin, audiences."""

from __future__ import annotations

import asyncio
import json
import re
import socket as stdlib_socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from markupsafe import escape
from sqlalchemy import select
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.factories import bearer, make_board, make_member, make_user
from tests.servers import LiveServer
from toolbox.accounts.models import User
from toolbox.board.access import access_to
from toolbox.board.models import Board, Label, Role
from toolbox.board.services import restore_column
from toolbox.db import Database
from toolbox.live.hub import RESUME_GRACE


def ws_url(server: LiveServer, slug: str, query: str = "format=json") -> str:
    return f"ws://127.0.0.1:{server.port}/b/{slug}/ws?{query}"


@asynccontextmanager
async def socket(
    server: LiveServer,
    slug: str,
    *,
    query: str = "format=json",
    headers: dict[str, str] | None = None,
    resume: int | None = None,
) -> AsyncIterator[ClientConnection]:
    async with connect(ws_url(server, slug, query), additional_headers=headers or {}) as ws:
        if resume is not None:
            await ws.send(json.dumps({"resume": resume}))
        yield ws


async def receive_events(
    ws: ClientConnection, count: int, within: float = 10.0
) -> list[dict[str, Any]]:
    """The next `count` board events (presence messages are not events and are skipped)."""
    events: list[dict[str, Any]] = []
    async with asyncio.timeout(within):
        while len(events) < count:
            message = json.loads(await ws.recv())
            if message.get("type") != "presence":
                events.append(message)
    return events


async def quiet(ws: ClientConnection, within: float = 0.5) -> list[str]:
    """Everything that arrives within `within` seconds."""
    frames: list[str] = []
    try:
        async with asyncio.timeout(within):
            while True:
                frames.append(str(await ws.recv()))
    except TimeoutError:
        return frames


async def live_board(db: Database, client: httpx.AsyncClient):  # type: ignore[no-untyped-def]
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    auth = await bearer(db, facilitator)
    columns = []
    for title in ("Gauche", "Droite"):
        response = await client.post(
            f"/api/v1/boards/{board.slug}/columns", json={"title": title}, headers=auth
        )
        columns.append(response.json()["id"])
    seq = (await client.get(f"/api/v1/boards/{board.slug}")).json()["seq"]
    return board, facilitator, auth, columns, seq


async def test_three_clients_see_a_fourths_change_in_seq_order(
    db: Database, server: LiveServer, client: httpx.AsyncClient
) -> None:
    board, _facilitator, auth, columns, seq = await live_board(db, client)
    async with (
        socket(server, board.slug, resume=seq) as a,
        socket(server, board.slug, resume=seq) as b,
        socket(server, board.slug, resume=seq) as c,
    ):
        await asyncio.sleep(0.2)
        for n in range(5):
            response = await client.post(
                f"/api/v1/boards/{board.slug}/cards",
                json={"column_id": columns[0], "title": f"Carte {n}"},
                headers=auth,
            )
            assert response.status_code == 201
        for ws in (a, b, c):
            events = await receive_events(ws, 5)
            assert [e["seq"] for e in events] == list(range(seq + 1, seq + 6))
            assert [e["data"]["card"]["title"] for e in events] == [f"Carte {n}" for n in range(5)]
            assert set(events[0]) == {"seq", "type", "at", "data"}


async def test_a_client_that_never_says_where_it_is_goes_live_after_the_grace(
    db: Database, server: LiveServer, client: httpx.AsyncClient
) -> None:
    """No `{"resume": N}`: what happened from its arrival is held for the grace period, then
    sent in order; what happens afterwards comes as for everyone (the hub's grace timer)."""
    board, _facilitator, auth, columns, seq = await live_board(db, client)

    async def add(title: str) -> None:
        response = await client.post(
            f"/api/v1/boards/{board.slug}/cards",
            json={"column_id": columns[0], "title": title},
            headers=auth,
        )
        assert response.status_code == 201

    async with socket(server, board.slug) as ws:
        await asyncio.sleep(0.2)  # it is in the room
        await add("Pendant l'attente")
        held = await receive_events(ws, 1, within=RESUME_GRACE + 5)
        await add("Après l'attente")
        later = await receive_events(ws, 1)
    assert [e["seq"] for e in held + later] == [seq + 1, seq + 2]
    assert [e["data"]["card"]["title"] for e in held + later] == [
        "Pendant l'attente",
        "Après l'attente",
    ]


async def test_resume_after_disconnect_gets_exactly_the_missed_fifty(
    db: Database, server: LiveServer, client: httpx.AsyncClient
) -> None:
    board, _facilitator, auth, columns, seq = await live_board(db, client)
    async with socket(server, board.slug, resume=seq) as ws:
        await client.post(
            f"/api/v1/boards/{board.slug}/cards",
            json={"column_id": columns[0], "title": "Avant"},
            headers=auth,
        )
        (before,) = await receive_events(ws, 1)
    seen = before["seq"]
    for n in range(50):
        await client.post(
            f"/api/v1/boards/{board.slug}/cards",
            json={"column_id": columns[1], "title": f"Pendant {n}"},
            headers=auth,
        )
    async with socket(server, board.slug, resume=seen) as ws:
        events = await receive_events(ws, 50)
        assert [e["seq"] for e in events] == list(range(seen + 1, seen + 51))
        assert [e["data"]["card"]["title"] for e in events] == [f"Pendant {n}" for n in range(50)]
        extra = [json.loads(f) for f in await quiet(ws)]
        assert [e for e in extra if e.get("type") != "presence"] == []  # no duplicates


async def test_concurrent_moves_converge_on_the_database_order(
    db: Database, server: LiveServer, client: httpx.AsyncClient
) -> None:
    board, _facilitator, auth, columns, _seq = await live_board(db, client)
    second = await make_member(db, board, Role.facilitator)
    auths = [auth, await bearer(db, second)]
    card_ids = []
    for n in range(8):
        response = await client.post(
            f"/api/v1/boards/{board.slug}/cards",
            json={"column_id": columns[n % 2], "title": f"C{n}"},
            headers=auth,
        )
        card_ids.append(response.json()["id"])
    start = (await client.get(f"/api/v1/boards/{board.slug}")).json()
    watchers = [connect(ws_url(server, board.slug)) for _ in range(3)]
    sockets = [await w.__aenter__() for w in watchers]
    try:
        for ws in sockets:
            await ws.send(json.dumps({"resume": start["seq"]}))
        await asyncio.sleep(0.2)
        # Each client keeps its own copy of the order and applies the events it receives.
        models = [
            {c["id"]: [card["id"] for card in c["cards"]] for c in start["columns"]}
            for _ in sockets
        ]

        async def move(n: int) -> None:
            card = card_ids[(n * 3) % len(card_ids)]
            body = {"column_id": columns[n % 2], "index": (n * 7) % 5}
            async with httpx.AsyncClient(base_url=server.url) as mover:
                response = await mover.post(
                    f"/api/v1/cards/{card}/move", json=body, headers=auths[n % 2]
                )
                assert response.status_code == 200, response.text

        await asyncio.gather(*(move(n) for n in range(20)))
        for ws, model in zip(sockets, models, strict=True):
            for event in await receive_events(ws, 20):
                assert event["type"] == "card.moved"
                data = event["data"]
                for cards in model.values():
                    if data["card_id"] in cards:
                        cards.remove(data["card_id"])
                model[data["column_id"]].insert(data["index"], data["card_id"])
        final = (await client.get(f"/api/v1/boards/{board.slug}")).json()
        truth = {c["id"]: [card["id"] for card in c["cards"]] for c in final["columns"]}
        assert final["seq"] == start["seq"] + 20
        for model in models:
            assert model == truth
    finally:
        for w in watchers:
            await w.__aexit__(None, None, None)


async def test_cross_origin_handshake_is_refused(
    db: Database, server: LiveServer, client: httpx.AsyncClient
) -> None:
    board, *_ = await live_board(db, client)
    with pytest.raises(InvalidStatus) as refused:
        async with connect(ws_url(server, board.slug), origin="https://evil.example"):  # type: ignore[arg-type]
            pass
    assert refused.value.response.status_code == 403
    async with connect(ws_url(server, board.slug), origin=server.url) as same:  # type: ignore[arg-type]
        await same.send(json.dumps({"resume": 0}))


async def test_members_only_board_refuses_visitors(db: Database, server: LiveServer) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, public=False, facilitator=facilitator)
    with pytest.raises(InvalidStatus):
        async with connect(ws_url(server, board.slug)):
            pass
    async with socket(server, board.slug, headers=await bearer(db, facilitator), resume=0) as ws:
        assert await receive_events(ws, 1)  # the board's creation, replayed
    with pytest.raises(InvalidStatus) as refused:  # a token that is not valid is no visitor
        async with connect(
            ws_url(server, board.slug), additional_headers={"Authorization": "Bearer wrong"}
        ):
            pass
    assert refused.value.response.status_code == 403


async def test_visitor_never_receives_facilitator_only_content(
    db: Database, server: LiveServer, client: httpx.AsyncClient
) -> None:
    board, _facilitator, auth, columns, seq = await live_board(db, client)
    async with (
        socket(server, board.slug, query="", resume=seq) as visitor_html,
        socket(server, board.slug, resume=seq) as visitor_json,
        socket(server, board.slug, query="", headers=auth, resume=seq) as facilitator_html,
    ):
        await asyncio.sleep(0.2)
        await client.post(
            f"/api/v1/boards/{board.slug}/cards",
            json={"column_id": columns[0], "title": "Visible"},
            headers=auth,
        )
        await client.post(f"/api/v1/columns/{columns[1]}/move", json={"index": 0}, headers=auth)
        invite = await client.post(
            f"/b/{board.slug}/invitations",
            data={"role": "participant"},
            headers={**auth, "Origin": server.url},
        )
        assert invite.status_code == 200
        participant = await make_user(db)
        # A membership change through the server: joining by the invitation link.
        link = invite.text.split('class="invitation-link">', 1)[1].split("<", 1)[0]
        joined = await client.post(
            "/invite/" + link.rsplit("/invite/", 1)[1], headers={**await bearer(db, participant)}
        )
        assert joined.status_code == 303
        html = " ".join(await quiet(visitor_html, 1.0))
        admin_html = " ".join(await quiet(facilitator_html, 1.0))
        events = [json.loads(f) for f in await quiet(visitor_json, 1.0)]
    assert "Visible" in html and "Visible" in admin_html
    assert "Options de la colonne" in admin_html and "column-tools" in admin_html
    for secret in (
        "Options de la colonne",
        "column-tools",
        "/archive",
        "Déplacer vers",
        participant.email,
    ):
        assert secret not in html
    assert not [e for e in events if str(e.get("type", "")).startswith("member.")]
    assert participant.email not in json.dumps(events)


async def test_unknown_or_oversized_messages_close_and_the_server_carries_on(
    db: Database, server: LiveServer, client: httpx.AsyncClient
) -> None:
    board, *_ = await live_board(db, client)
    async with socket(server, board.slug) as ws:
        await ws.send(json.dumps({"hello": 1}))
        with pytest.raises(ConnectionClosed) as closed:
            await receive_events(ws, 1)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
    async with socket(server, board.slug) as ws:
        await ws.send("x" * (70 * 1024))
        with pytest.raises(ConnectionClosed) as closed:
            await receive_events(ws, 1)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
    async with socket(server, board.slug, resume=0) as ws:
        assert (await receive_events(ws, 1))[0]["seq"] == 1


async def test_resume_from_the_future_gets_a_reset(
    db: Database, server: LiveServer, client: httpx.AsyncClient
) -> None:
    board, *_rest, seq = await live_board(db, client)
    async with socket(server, board.slug, resume=seq + 1000) as ws:
        (reset,) = await receive_events(ws, 1)
        assert reset == {"type": "reset", "seq": seq}


async def test_presence_counts_people_and_names_facilitators(
    db: Database, server: LiveServer, client: httpx.AsyncClient
) -> None:
    board, facilitator, auth, _columns, seq = await live_board(db, client)
    async with (
        socket(server, board.slug, resume=seq) as watcher,
        socket(server, board.slug, headers=auth, resume=seq),
    ):
        async with asyncio.timeout(5):
            while True:
                message = json.loads(await watcher.recv())
                if message.get("type") == "presence" and message["data"]["count"] == 2:
                    break
        assert message["data"]["facilitators"] == [facilitator.display_name]


async def test_a_client_that_cannot_keep_up_is_closed_with_1013(
    db: Database, server: LiveServer, client: httpx.AsyncClient
) -> None:
    board, _facilitator, auth, columns, seq = await live_board(db, client)
    # max_queue=1: the slow client's library stops reading almost at once, and its socket's
    # small receive buffer leaves the kernel little room to absorb what the server sends, so the
    # server's backlog for it fills up, while a normal client keeps receiving everything.
    small = stdlib_socket.socket()
    small.setsockopt(stdlib_socket.SOL_SOCKET, stdlib_socket.SO_RCVBUF, 4096)
    small.connect(("127.0.0.1", server.port))
    async with (
        connect(ws_url(server, board.slug), max_queue=1, sock=small) as slow,
        socket(server, board.slug, resume=seq) as normal,
    ):
        await slow.send(json.dumps({"resume": seq}))
        await asyncio.sleep(0.2)
        body = {"column_id": columns[0], "title": "Lourd", "description": "x" * 19_000}
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as writer:
            for _batch in range(30):
                responses = await asyncio.gather(
                    *(
                        writer.post(f"/api/v1/boards/{board.slug}/cards", json=body, headers=auth)
                        for _ in range(20)
                    )
                )
                assert all(r.status_code == 201 for r in responses)
                assert len(await receive_events(normal, 20, within=30)) == 20
        # Now read what the slow client was sent: it ends with the server's close, 1013.
        received = 0
        with pytest.raises(ConnectionClosed):
            async with asyncio.timeout(30):
                while True:
                    await slow.recv()
                    received += 1
        assert slow.close_code == 1013, slow.close_reason
        assert received < 600


async def test_a_browser_too_far_behind_gets_the_whole_board(
    db: Database, server: LiveServer, client: httpx.AsyncClient
) -> None:
    board, _facilitator, _auth, _columns, seq = await live_board(db, client)
    async with socket(server, board.slug, query="", resume=seq + 1000) as ws:
        async with asyncio.timeout(5):
            frame = str(await ws.recv())
            while 'id="presence"' in frame:
                frame = str(await ws.recv())
    assert 'id="columns"' in frame and 'hx-swap-oob="true"' in frame
    assert "Gauche" in frame and "Droite" in frame
    assert f'data-seq="{seq}"' in frame


async def test_a_column_change_is_announced_with_its_authors_name(
    db: Database, server: LiveServer, client: httpx.AsyncClient
) -> None:
    """column.created, .updated and .restored carry `by`: a screen reader hears who did it."""
    board, facilitator, auth, columns, seq = await live_board(db, client)
    name = str(escape(facilitator.display_name))
    async with socket(server, board.slug, query="", resume=seq) as ws:
        created = await client.post(
            f"/api/v1/boards/{board.slug}/columns", json={"title": "Nouvelle"}, headers=auth
        )
        assert created.status_code == 201
        await client.patch(
            f"/api/v1/columns/{columns[0]}", json={"title": "Renommée"}, headers=auth
        )
        await client.delete(f"/api/v1/columns/{columns[1]}", headers=auth)
        # Restored outside the server: it reaches the socket when the next event shows the gap.
        async with db.write() as session:
            board_row = await session.get(Board, board.id)
            assert board_row is not None
            access = await access_to(session, board_row, await session.get(User, facilitator.id))
            await restore_column(session, access, columns[1])
        await client.patch(f"/api/v1/columns/{columns[0]}", json={"title": "Fin"}, headers=auth)
        announcements = await html_announcements(ws, 5)
    assert announcements[0] == f"Colonne « Nouvelle » ajoutée par {name}"
    assert announcements[1] == f"Colonne « Renommée » modifiée par {name}"
    assert announcements[3] == f"Colonne « Droite » restaurée par {name}"
    assert "someone" not in " ".join(announcements) and "quelqu’un" not in " ".join(announcements)


async def html_announcements(ws: ClientConnection, count: int) -> list[str]:
    """The screen reader's sentence of each of the next `count` HTML updates."""
    sentences: list[str] = []
    async with asyncio.timeout(10):
        while len(sentences) < count:
            frame = str(await ws.recv())
            if 'id="board-seq"' not in frame:
                continue  # presence
            match = re.search(
                r'<div id="live-announcer" hx-swap-oob="innerHTML">(.*?)</div>', frame
            )
            sentences.append(match[1] if match else "")
    return sentences


async def test_a_label_change_reaches_the_board_and_is_announced(
    db: Database, server: LiveServer, client: httpx.AsyncClient
) -> None:
    """label.updated refreshes the cards that carry it, with a sentence saying who changed it."""
    board, facilitator, auth, columns, seq = await live_board(db, client)
    await client.post(
        f"/api/v1/boards/{board.slug}/cards",
        json={"column_id": columns[0], "title": "Guide", "labels": ["Gratuit"]},
        headers=auth,
    )
    async with db.read() as session:
        label_id = await session.scalar(select(Label.id).where(Label.board_id == board.id))
    name = str(escape(facilitator.display_name))
    async with socket(server, board.slug, query="", resume=seq + 1) as ws:
        renamed = await client.post(
            f"/b/{board.slug}/labels/{label_id}/edit",
            data={"name": "Libre", "colour": "sky"},
            headers={**auth, "Origin": server.url},
        )
        assert renamed.status_code == 303
        frame = ""
        async with asyncio.timeout(10):
            while 'id="board-seq"' not in frame:
                frame = str(await ws.recv())
    assert '<span class="label label-sky">Libre</span>' in frame and "Gratuit" not in frame
    assert f"Étiquette « Gratuit » modifiée par {name}" not in frame  # the new name is said
    assert f"Étiquette « Libre » modifiée par {name}" in frame
