"""How many board sockets one credential (a session or an API token) holds open, in every
process together: at most `MAX_SOCKETS_PER_CREDENTIAL` (DESIGN.md §6 and issue 14), so that a
stolen cookie or a runaway script cannot hold thousands, each costing a server memory.

With a Redis bus, the count lives in the bus's Redis, as a sorted set per credential: a member
per open socket, scored with the moment it expires. A socket is let in by one Lua script (drop
the expired members, count, add), so two processes letting sockets in at once cannot both pass
the tenth. Each process renews its own sockets' members on a heartbeat: a process that dies
without closing them frees them within `SOCKET_TTL`. Redis being unreachable lets the socket in
(the bus is down too, and it will say so): refusing every reader would be worse than a script
holding a few more sockets for a while.

Without Redis there is one process, and its own count is the whole count.

This is a concurrency count, not a rate: the `limits` library (login throttling, the message
rate per socket) counts hits in a window and cannot give one back when a socket closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import math
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

MAX_SOCKETS_PER_CREDENTIAL = 10
SOCKET_TTL = 60.0
RENEW_SECONDS = 20.0
KEY_PREFIX = "toolbox:sockets:"

# KEYS[1]: the credential's set. ARGV: now, this socket's expiry, its member, the limit, TTL.
ADMIT = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 1
"""


class SocketCount(Protocol):
    async def admit(self, credential: tuple[str, str]) -> str | None:
        """A ticket for one more socket of `credential`, or None when it holds the most."""
        ...

    async def release(self, credential: tuple[str, str], ticket: str) -> None: ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...


_tickets = itertools.count()


class MemorySocketCount:
    """One process: its own count is the whole count."""

    def __init__(self, limit: int = MAX_SOCKETS_PER_CREDENTIAL) -> None:
        self.limit = limit
        self._held: dict[tuple[str, str], set[str]] = {}

    async def admit(self, credential: tuple[str, str]) -> str | None:
        held = self._held.setdefault(credential, set())
        if len(held) >= self.limit:
            return None
        ticket = str(next(_tickets))
        held.add(ticket)
        return ticket

    async def release(self, credential: tuple[str, str], ticket: str) -> None:
        held = self._held.get(credential)
        if held is not None:
            held.discard(ticket)
            if not held:
                del self._held[credential]

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None


class RedisSocketCount:
    """Every process together, in Redis."""

    def __init__(
        self,
        url: str,
        limit: int = MAX_SOCKETS_PER_CREDENTIAL,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.limit = limit
        self._redis: Redis = Redis.from_url(url)
        self._admit: Callable[..., Awaitable[int]] = self._redis.register_script(ADMIT)
        self._clock = clock
        self._process = uuid.uuid4().hex[:12]
        self._held: dict[str, tuple[str, str]] = {}  # this process's tickets
        self._renewing: asyncio.Task[None] | None = None

    @staticmethod
    def key(credential: tuple[str, str]) -> str:
        kind, token_hash = credential
        return f"{KEY_PREFIX}{kind}:{token_hash}"

    async def admit(self, credential: tuple[str, str]) -> str | None:
        ticket = f"{self._process}:{next(_tickets)}"
        now = self._clock()
        try:
            admitted = await self._admit(
                keys=[self.key(credential)],
                args=[now, now + SOCKET_TTL, ticket, self.limit, math.ceil(SOCKET_TTL)],
            )
        except RedisError:
            log.warning("sockets: Redis unreachable, a socket let in uncounted", exc_info=True)
            return ticket
        if not admitted:
            return None
        self._held[ticket] = credential
        return ticket

    async def release(self, credential: tuple[str, str], ticket: str) -> None:
        self._held.pop(ticket, None)
        with contextlib.suppress(RedisError):  # it expires on its own
            await self._redis.zrem(self.key(credential), ticket)

    async def renew(self) -> None:
        """Push this process's sockets' expiry forward: they are still open."""
        expiry = self._clock() + SOCKET_TTL
        async with self._redis.pipeline(transaction=False) as pipe:
            for ticket, credential in list(self._held.items()):
                pipe.zadd(self.key(credential), {ticket: expiry})
                pipe.expire(self.key(credential), math.ceil(SOCKET_TTL))
            await pipe.execute()

    async def _renew_forever(self) -> None:
        while True:
            await asyncio.sleep(RENEW_SECONDS)
            try:
                await self.renew()
            except RedisError:
                log.warning("sockets: could not renew in Redis", exc_info=True)

    async def start(self) -> None:
        self._renewing = asyncio.create_task(self._renew_forever(), name="socket-count")

    async def close(self) -> None:
        if self._renewing is not None:
            self._renewing.cancel()
            await asyncio.gather(self._renewing, return_exceptions=True)
        await self._redis.aclose()


def socket_count(broadcast_url: str) -> SocketCount:
    """Counted in the bus's Redis when there is one, in this process otherwise."""
    if broadcast_url.startswith(("redis://", "rediss://")):
        return RedisSocketCount(broadcast_url)
    return MemorySocketCount()
