"""The Redis bus across a restart of Redis itself: it says it may have lost messages (so that
each process forgets the seqs and identities the bus taught it) when the connection drops and
again once it is back, and it hears its channels again afterwards. A `redis-server` of the
test's own, on a free port, stopped and started again."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator

import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError

from tests.servers import free_port, wait_until
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
