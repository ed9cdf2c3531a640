"""Frames written straight to the socket (`toolbox.live.wire`, `toolbox.live.uvicorn_protocol`):
the bytes a real websocket library would write, through a real uvicorn server, in order when the
socket is full; and the hub on a server without the extension, through ASGI alone."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket as stdlib_socket
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosedOK
from wsproto.frame_protocol import FrameProtocol

from tests.live.test_websocket import live_board, receive_events, socket
from tests.servers import LiveServer
from toolbox.db import Database
from toolbox.live.uvicorn_protocol import FrameWritingProtocol
from toolbox.live.wire import WRITE_FRAME, frame_writer, text_frame


@pytest.mark.parametrize("length", [0, 1, 125, 126, 127, 65535, 65536, 200_000])
def test_a_text_frame_is_what_wsproto_writes(length: int) -> None:
    text = ("é" * length)[:length] if length % 2 else "a" * length
    assert text_frame(text) == FrameProtocol(client=False, extensions=[]).send_data(text, True)


def test_a_multibyte_text_counts_its_bytes_not_its_characters() -> None:
    text = "Coffre à outils ✓" * 10  # 170 characters, 200 bytes: the two-byte length form
    frame = text_frame(text)
    assert frame[:4] == bytes([0x81, 126, 0, 200])
    assert frame[4:].decode() == text


def test_no_writer_without_the_extension() -> None:
    assert frame_writer({"type": "websocket"}) is None
    assert frame_writer({"extensions": {"websocket.http.response": {}}}) is None
    assert frame_writer({"extensions": {WRITE_FRAME: {"write": "not callable"}}}) is None
    write = print
    assert frame_writer({"extensions": {WRITE_FRAME: {"write": write}}}) is write


@contextlib.asynccontextmanager
async def uvicorn_serving(app: Any) -> AsyncIterator[int]:
    """`app` under uvicorn with the app's websocket protocol, in this process; yields its port."""
    listening = stdlib_socket.socket()
    listening.bind(("127.0.0.1", 0))
    listening.listen()  # clients may connect at once: uvicorn accepts them when it has started
    config = uvicorn.Config(app, ws=FrameWritingProtocol, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[listening]))
    try:
        yield listening.getsockname()[1]
    finally:
        server.should_exit = True
        await task


async def test_frames_written_straight_arrive_whole_and_in_order_even_when_the_socket_fills() -> (
    None
):
    big = "x" * 60_000
    outcome: dict[str, Any] = {}
    may_read = asyncio.Event()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        assert scope["type"] == "websocket"
        await receive()
        await send({"type": "websocket.accept"})
        write = frame_writer(scope)
        assert write is not None
        written = waited = 0
        for n in range(300):  # 18 MB to a client that does not read yet: the socket fills
            text = json.dumps({"n": n, "pad": big})
            if write(text_frame(text)):
                written += 1
            else:  # full: as the hub does, through ASGI, which waits for room
                may_read.set()
                await send({"type": "websocket.send", "text": text})
                waited += 1
        await send({"type": "websocket.close", "code": 1000})
        outcome.update(written=written, waited=waited, after_close=write(text_frame("late")))

    received = []
    async with (
        uvicorn_serving(app) as port,
        connect(f"ws://127.0.0.1:{port}/", max_size=None) as ws,
    ):
        await asyncio.wait_for(may_read.wait(), 10)
        with pytest.raises(ConnectionClosedOK):
            while True:
                received.append(json.loads(await asyncio.wait_for(ws.recv(), 10))["n"])
    assert received == list(range(300))
    assert outcome["written"] > 0 and outcome["waited"] > 0
    assert outcome["after_close"] is False


async def test_the_hub_delivers_through_asgi_on_a_server_without_the_extension(
    db: Database, database_url: str
) -> None:
    plain = LiveServer(database_url, options=("--ws", "wsproto"))  # the last --ws is the one
    plain.start()
    try:
        async with httpx.AsyncClient(base_url=plain.url, timeout=20) as client:
            board, _facilitator, auth, columns, seq = await live_board(db, client)
            async with socket(plain, board.slug, resume=seq) as ws:
                await asyncio.sleep(0.2)
                for n in range(3):
                    response = await client.post(
                        f"/api/v1/boards/{board.slug}/cards",
                        json={"column_id": columns[n % 2], "title": f"Carte {n}"},
                        headers=auth,
                    )
                    assert response.status_code == 201
                events = await receive_events(ws, 3)
        assert [e["seq"] for e in events] == [seq + 1, seq + 2, seq + 3]
        assert [e["data"]["card"]["title"] for e in events] == ["Carte 0", "Carte 1", "Carte 2"]
    finally:
        plain.stop()
