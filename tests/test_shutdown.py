"""SIGTERM, as an orchestrator stops a process: the open websockets are closed with 1012
("service restart", so that browsers reconnect elsewhere), the app's shutdown runs, and the
process exits at once."""

from __future__ import annotations

import asyncio
import signal
import time

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.factories import make_board, make_user
from tests.servers import LiveServer
from toolbox.db import Database


async def test_sigterm_closes_the_sockets_with_1012_and_exits(
    database_url: str, db: Database
) -> None:
    server = LiveServer(database_url)
    server.start()
    try:
        board = await make_board(db, facilitator=await make_user(db))
        url = f"ws://127.0.0.1:{server.port}/b/{board.slug}/ws?format=json"
        async with connect(url) as socket:
            await asyncio.sleep(0.2)
            assert server.process is not None
            began = time.monotonic()
            server.process.send_signal(signal.SIGTERM)
            with pytest.raises(ConnectionClosed) as closed:
                async with asyncio.timeout(10):
                    while True:
                        await socket.recv()
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1012
        code = await asyncio.to_thread(server.process.wait, 10)
        # Uvicorn finishes its shutdown, then ends by the signal it was sent, as a process
        # stopped by it should (its exit status says so to whoever sent it).
        assert code in {0, -signal.SIGTERM}, server.output()
        assert "Application shutdown complete" in server.output()
        assert time.monotonic() - began < 10
    finally:
        server.stop()
