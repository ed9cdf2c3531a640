"""A socket is let in with its person's rights at the handshake; when those end or change, it
is closed (the browser reconnects with the new ones) before the next event reaches it: a
facilitator lowered to participant stops hearing facilitators' events, a session that signs
out stops hearing anything."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.factories import make_board, make_member, make_user, origin, signed_in
from tests.servers import LiveServer
from toolbox.board.models import Role
from toolbox.db import Database
from toolbox.live.socket_count import MAX_SOCKETS_PER_CREDENTIAL


def _cookie(client: httpx.AsyncClient) -> dict[str, str]:
    return {"Cookie": "; ".join(f"{name}={value}" for name, value in client.cookies.items())}


async def _until_closed(socket: ClientConnection, within: float = 1.0) -> tuple[int, list[Any]]:
    frames = []
    with pytest.raises(ConnectionClosed) as closed:
        async with asyncio.timeout(within):
            while True:
                frames.append(json.loads(await socket.recv()))
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code, frames


async def test_a_lowered_facilitator_is_closed_before_the_change_reaches_them(
    db: Database, server: LiveServer, client: httpx.AsyncClient
) -> None:
    curator = await make_user(db)
    board = await make_board(db, facilitator=curator)
    lowered = await make_member(db, board, Role.facilitator)
    async with (
        httpx.AsyncClient(base_url=client.base_url) as theirs,
        httpx.AsyncClient(base_url=client.base_url) as mine,
    ):
        await signed_in(theirs, lowered)
        await signed_in(mine, curator)
        url = f"ws://127.0.0.1:{server.port}/b/{board.slug}/ws?format=json"
        seq = (await client.get(f"/api/v1/boards/{board.slug}")).json()["seq"]
        async with connect(url, additional_headers=_cookie(theirs)) as socket:
            await socket.send(json.dumps({"resume": seq}))
            await asyncio.sleep(0.3)
            changed = await mine.post(
                f"/b/{board.slug}/members/{lowered.id}/role",
                data={"role": "participant"},
                headers=origin(mine),
            )
            assert changed.status_code == 303
            code, frames = await _until_closed(socket)
        assert code == 1008
        # Not even the change of their own role: a facilitators' event.
        assert [f for f in frames if f.get("type") == "member.updated"] == []
        # Let in again, they are let in as what they now are.
        async with connect(url, additional_headers=_cookie(theirs)) as again:
            await again.send(json.dumps({"resume": seq}))
            replayed = []
            with pytest.raises(TimeoutError):
                async with asyncio.timeout(1.0):
                    while True:
                        replayed.append(json.loads(await again.recv()))
            # What they missed, as a participant: the change of role is not among it.
            assert all(f.get("type") != "member.updated" for f in replayed)


async def test_a_session_that_signs_out_is_closed(
    db: Database, server: LiveServer, client: httpx.AsyncClient
) -> None:
    person = await make_user(db)
    board = await make_board(db, facilitator=person)
    async with httpx.AsyncClient(base_url=client.base_url) as theirs:
        await signed_in(theirs, person)
        url = f"ws://127.0.0.1:{server.port}/b/{board.slug}/ws?format=json"
        async with connect(url, additional_headers=_cookie(theirs)) as socket:
            await socket.send(json.dumps({"resume": board.seq}))
            await asyncio.sleep(0.3)
            assert (await theirs.post("/logout", headers=origin(theirs))).status_code == 303
            code, _frames = await _until_closed(socket)
        assert code == 1008


async def test_one_session_holds_at_most_ten_sockets(
    db: Database, server: LiveServer, client: httpx.AsyncClient
) -> None:
    person = await make_user(db)
    board = await make_board(db, facilitator=person)
    async with httpx.AsyncClient(base_url=client.base_url) as theirs:
        await signed_in(theirs, person)
        url = f"ws://127.0.0.1:{server.port}/b/{board.slug}/ws?format=json"
        sockets = [
            await connect(url, additional_headers=_cookie(theirs))
            for _ in range(MAX_SOCKETS_PER_CREDENTIAL)
        ]
        try:
            with pytest.raises(InvalidStatus) as refused:
                await connect(url, additional_headers=_cookie(theirs))
            assert refused.value.response.status_code == 403
            # Visitors (no credential) are a room of phones: not counted together.
            async with connect(url) as visitor:
                await visitor.send(json.dumps({"resume": 0}))
            await sockets.pop().close()
            await asyncio.sleep(0.2)  # the server lets the closed one go
            async with connect(url, additional_headers=_cookie(theirs)) as one_more:
                await one_more.send(json.dumps({"resume": 0}))
        finally:
            for socket in sockets:
                await socket.close()
