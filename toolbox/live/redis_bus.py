"""`redis://`: the bus over Redis pub/sub, for several app processes or hosts.

Pub/sub delivers each message at most once and only while connected; that is enough because the
hub fills any gap in `seq` from the database, and a client that reconnects resumes from its seq.
"""

from __future__ import annotations

import asyncio
import logging

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from toolbox.live.bus import Handler, Lost

log = logging.getLogger(__name__)
RETRY_SECONDS = 1.0


class RedisBus:
    def __init__(self, url: str) -> None:
        self._redis: Redis = Redis.from_url(url)
        self._pubsub: PubSub = self._redis.pubsub(ignore_subscribe_messages=True)
        self._channels: set[str] = set()
        self._task: asyncio.Task[None] | None = None
        self._handler: Handler | None = None
        self._lost: Lost = _nothing_lost
        self._subscribed = asyncio.Event()

    async def start(self, handler: Handler, lost: Lost) -> None:
        self._handler = handler
        self._lost = lost
        self._task = asyncio.create_task(self._listen(), name="redis-bus")

    async def publish(self, channel: str, message: bytes) -> None:
        await self._redis.publish(channel, message)

    async def subscribe(self, channel: str) -> None:
        self._channels.add(channel)
        await self._pubsub.subscribe(channel)
        self._subscribed.set()

    async def unsubscribe(self, channel: str) -> None:
        self._channels.discard(channel)
        await self._pubsub.unsubscribe(channel)

    async def ping(self) -> None:
        await self._redis.ping()

    async def close(self) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self._pubsub.aclose()  # type: ignore[no-untyped-call,unused-ignore]
        await self._redis.aclose()

    async def _listen(self) -> None:
        assert self._handler is not None
        broken = False
        while True:
            await self._subscribed.wait()  # get_message needs at least one subscription
            try:
                message = await self._pubsub.get_message(timeout=1.0)
            except (RedisConnectionError, RedisTimeoutError, OSError, TimeoutError) as error:
                # Pub/sub keeps nothing for a subscriber away: what was published meanwhile is
                # gone. Said now (nothing heard can be trusted to be the latest any more) and
                # again once the connection is back (what was missed in between).
                log.warning("redis bus: %s; retrying", error)
                broken = True
                self._lost()
                await asyncio.sleep(RETRY_SECONDS)
                continue
            if broken:
                broken = False
                self._lost()
            if message is None or message.get("type") != "message":
                continue
            channel = message["channel"]
            channel = channel.decode() if isinstance(channel, bytes) else str(channel)
            try:
                await self._handler(channel, message["data"])
            except Exception:
                log.exception("live update on %s failed", channel)


def _nothing_lost() -> None:
    pass
