"""The count of a credential's open sockets (toolbox/live/socket_count.py): in this process's
memory, and in a real Redis, where a process that died without closing its sockets frees them
once their time is up."""

from __future__ import annotations

import os
import uuid

import pytest
from redis.asyncio import Redis

from toolbox.live.socket_count import SOCKET_TTL, MemorySocketCount, RedisSocketCount

REDIS_URL = os.environ.get("TOOLBOX_TEST_REDIS_URL", "")
REQUIRE_ALL = os.environ.get("TOOLBOX_TEST_REQUIRE_ALL") == "1"


def _credential() -> tuple[str, str]:
    return ("session", uuid.uuid4().hex)


async def test_in_memory_a_credential_holds_at_most_its_limit() -> None:
    count = MemorySocketCount(limit=2)
    mine, theirs = _credential(), _credential()
    first, second = await count.admit(mine), await count.admit(mine)
    assert first and second and first != second
    assert await count.admit(mine) is None
    assert await count.admit(theirs) is not None  # counted apart
    await count.release(mine, first)
    assert await count.admit(mine) is not None


@pytest.fixture
def redis_url() -> str:
    if not REDIS_URL:
        if REQUIRE_ALL:
            pytest.fail("TOOLBOX_TEST_REDIS_URL is required (TOOLBOX_TEST_REQUIRE_ALL=1)")
        pytest.skip("set TOOLBOX_TEST_REDIS_URL to run with Redis")
    return REDIS_URL


async def test_in_redis_two_processes_count_together_and_the_dead_ones_expire(
    redis_url: str,
) -> None:
    now = [1_000_000.0]
    a = RedisSocketCount(redis_url, limit=3, clock=lambda: now[0])
    b = RedisSocketCount(redis_url, limit=3, clock=lambda: now[0])
    mine = _credential()
    redis = Redis.from_url(redis_url)
    try:
        on_a = [await a.admit(mine), await a.admit(mine)]
        on_b = await b.admit(mine)
        assert all(on_a) and on_b
        assert await a.admit(mine) is None and await b.admit(mine) is None
        await b.release(mine, on_b)
        assert (again := await b.admit(mine)) is not None
        # A renews its sockets; B "dies" without closing its one: after the TTL, A's two are
        # still counted and B's is gone.
        now[0] += SOCKET_TTL / 2
        await a.renew()
        now[0] += SOCKET_TTL / 2 + 1
        assert await a.admit(mine) is not None
        assert await a.admit(mine) is None
        members = await redis.zrange(RedisSocketCount.key(mine), 0, -1)
        assert again.encode() not in members and len(members) == 3
    finally:
        await redis.delete(RedisSocketCount.key(mine))
        await redis.aclose()
        await a.close()
        await b.close()
