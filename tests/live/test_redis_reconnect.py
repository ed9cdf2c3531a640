"""The Redis bus across a restart of Redis itself (a `redis-server` of the test's own, on a free
port, stopped and started again): it says it may have lost messages (so that each process
forgets the seqs and identities the bus taught it, and catches its boards up from the event
log) when the connection drops and again once it is back, and it hears its channels again."""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator

import httpx
import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError
from websockets.asyncio.client import connect

from tests.factories import bearer, make_board, make_user
from tests.servers import LiveServer, free_port, wait_until
from toolbox.db import Database
from toolbox.live.redis_bus import RedisBus

REDIS_SERVER = shutil.which("redis-server")


class OwnRedis:
    def __init__(self, directory: str) -> None:
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        assert REDIS_SERVER is not None
        options = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), *options, "--dir", self.directory],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port)):
                return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start in 10 s")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def own_redis() -> Iterator[OwnRedis]:
    if REDIS_SERVER is None:
        pytest.fail("redis-server is needed (Debian's redis-server package)")
    with tempfile.TemporaryDirectory(prefix="toolbox-redis-") as directory:
        server = OwnRedis(directory)
        server.start()
        yield server
        server.stop()


def _lost_more_than(lost: list[int], count: int) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return len(lost) > count

    return check


async def _heard_after_publishing(url: str, heard: list[bytes], message: bytes) -> None:
    """Publish `message` until the bus hears it (Redis may still be starting, the bus may not
    have subscribed again yet)."""
    client: Redis = Redis.from_url(url)
    try:
        async with asyncio.timeout(10):
            while message not in heard:
                with contextlib.suppress(RedisError, OSError):
                    await client.publish("toolbox:notices", message)
                await asyncio.sleep(0.1)
    finally:
        await client.aclose()


async def test_the_bus_says_what_it_may_have_lost_and_hears_again(own_redis: OwnRedis) -> None:
    heard: list[bytes] = []
    lost: list[int] = []

    async def handler(_channel: str, message: bytes) -> None:
        heard.append(message)

    bus = RedisBus(own_redis.url)
    await bus.start(handler, lambda: lost.append(len(heard)))
    try:
        await bus.subscribe("toolbox:notices")
        await _heard_after_publishing(own_redis.url, heard, b"before")
        assert lost == []
        own_redis.stop()
        await wait_until(_lost_more_than(lost, 0), within=10)  # the drop is told at once
        own_redis.start()
        dropped = len(lost)
        await wait_until(_lost_more_than(lost, dropped), within=10)  # and the return
        await _heard_after_publishing(own_redis.url, heard, b"after")
        assert heard[0] == b"before" and b"after" in heard
    finally:
        await bus.close()


@pytest.fixture
def two_processes_on_own_redis(
    backend: str, database_url: str, own_redis: OwnRedis
) -> Iterator[tuple[LiveServer, LiveServer]]:
    if backend != "postgres":
        pytest.skip("several processes share PostgreSQL, not a SQLite file")
    env = {"TOOLBOX_BROADCAST_URL": own_redis.url}
    servers = [LiveServer(database_url, env=env) for _ in range(2)]
    for server in servers:
        server.start()
    yield servers[0], servers[1]
    for server in servers:
        server.stop()


# Several processes share a PostgreSQL database: there is no SQLite variant of this test.
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_a_change_made_while_redis_was_away_reaches_the_other_process(
    db: Database,
    own_redis: OwnRedis,
    two_processes_on_own_redis: tuple[LiveServer, LiveServer],
) -> None:
    """Redis stops, a change is made through one process (its publication is lost), Redis comes
    back: the client of the other process gets the change from the event log, without waiting
    for another change to reveal the gap."""
    server_a, server_b = two_processes_on_own_redis
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    auth = await bearer(db, facilitator)
    async with httpx.AsyncClient(base_url=server_a.url, timeout=20) as on_a:
        column = await on_a.post(
            f"/api/v1/boards/{board.slug}/columns", json={"title": "Lexique"}, headers=auth
        )
        seq = (await on_a.get(f"/api/v1/boards/{board.slug}")).json()["seq"]
        url = f"ws://127.0.0.1:{server_b.port}/b/{board.slug}/ws?format=json"
        async with connect(url) as socket:
            await socket.send(json.dumps({"resume": seq}))
            await asyncio.sleep(0.3)
            own_redis.stop()
            created = await on_a.post(
                f"/api/v1/boards/{board.slug}/cards",
                json={"column_id": column.json()["id"], "title": "Pendant la panne"},
                headers=auth,
            )
            assert created.status_code == 201
            own_redis.start()
            async with asyncio.timeout(15):
                while True:
                    message = json.loads(await socket.recv())
                    if message.get("type") == "card.created":
                        break
            assert message["seq"] == seq + 1
            assert message["data"]["card"]["title"] == "Pendant la panne"
