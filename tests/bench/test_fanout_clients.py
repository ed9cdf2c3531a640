"""The fan-out bench's clients (bench/fanout.py), the instrument behind its latencies: each
library's client receives every message a real `websockets` server broadcasts, notes when, and
closes with the closing handshake; the picows client refuses what it cannot time (a message in
fragments) rather than miscount it."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator

import pytest
from picows import WSCloseCode
from websockets.asyncio.client import connect
from websockets.asyncio.server import ServerConnection, serve

from bench.fanout import CLIENTS, PicowsClient, Receipts, bare_server, close_all, connect_all
from tests.servers import free_port


@contextlib.asynccontextmanager
async def bare(port: int) -> AsyncIterator[str]:
    """The bench's own baseline server, in this process; yields its clients' URL."""
    task = asyncio.create_task(bare_server(port))
    try:
        for _ in range(100):
            with contextlib.suppress(OSError):
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                break
            await asyncio.sleep(0.05)
        yield f"ws://127.0.0.1:{port}/b/bench/ws"
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


@pytest.mark.parametrize("library", sorted(CLIENTS))
async def test_every_client_notes_every_message_then_closes(library: str) -> None:
    receipts = Receipts(clients=5)
    port = free_port()
    async with bare(port) as url:
        began = time.perf_counter()
        clients = await connect_all([url], 5, resume=0, receipts=receipts, library=library)
        await asyncio.sleep(0.1)  # every client is in the server's set before the broadcast
        async with connect(f"ws://127.0.0.1:{port}/control") as control:
            for seq in (1, 2):
                await control.send(json.dumps({"type": "card.moved", "seq": seq}))
                await receipts.wait(seq)
        assert receipts.counts == {1: 5, 2: 5}
        for times in receipts.times:
            assert set(times) == {1, 2}
            assert began < times[1] <= times[2] < time.perf_counter()
        assert receipts.sample is not None and json.loads(receipts.sample)["seq"] == 1
        await close_all(clients)
    if library == "picows":
        for client in clients:
            assert isinstance(client, PicowsClient)
            assert client.transport.is_disconnected
            # The server answered the client's CLOSE: a handshake, not a dropped connection.
            handshake = client.transport.close_handshake
            assert handshake is not None and handshake.recv is not None
            assert handshake.recv.code == WSCloseCode.OK


async def test_the_picows_client_refuses_a_message_in_fragments() -> None:
    async def fragmenting(ws: ServerConnection) -> None:
        await ws.recv()  # the client's {"resume": 0}
        await ws.send(iter(['{"type": "card.moved", ', '"seq": 1}']))  # two frames, one message
        await ws.wait_closed()

    receipts = Receipts(clients=1)
    port = free_port()
    async with serve(fragmenting, "127.0.0.1", port):
        (client,) = await connect_all(
            [f"ws://127.0.0.1:{port}"], 1, resume=0, receipts=receipts, library="picows"
        )
        assert isinstance(client, PicowsClient)
        with pytest.raises(Exception, match="fragmented"):
            async with asyncio.timeout(5):
                await client.transport.wait_disconnected()
    assert receipts.counts == {}
