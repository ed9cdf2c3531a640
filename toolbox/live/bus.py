"""The broadcast bus: carries "something changed on board N" between app processes.

The database is the truth; the bus only carries notifications, so a lost message costs a client
nothing but a gap, which the hub fills from the event log. `memory://` serves one process;
`redis://` (toolbox.live.redis_bus) several processes or hosts.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

log = logging.getLogger(__name__)

Handler = Callable[[str, bytes], Awaitable[None]]
#: Called when the bus may have dropped messages (its connection was lost, then again when it is
#: back): whatever was learnt from them must be asked of the database again.
Lost = Callable[[], None]
CHANNEL_PREFIX = "toolbox:board:"


def board_channel(board_id: int) -> str:
    return f"{CHANNEL_PREFIX}{board_id}"


class Bus(Protocol):
    """Publish bytes on a channel; deliver every channel's messages, in order, to one handler;
    say when messages may have been lost."""

    async def start(self, handler: Handler, lost: Lost) -> None: ...

    async def publish(self, channel: str, message: bytes) -> None: ...

    async def subscribe(self, channel: str) -> None: ...

    async def unsubscribe(self, channel: str) -> None: ...

    async def close(self) -> None: ...

    async def ping(self) -> None:
        """Return if the bus answers, raise if not (`/readyz`)."""
        ...


class MemoryBus:
    """One process: a queue and a task that hands each message to the handler in order."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue()
        self._channels: set[str] = set()
        self._task: asyncio.Task[None] | None = None
        self._handler: Handler | None = None

    async def start(self, handler: Handler, lost: Lost) -> None:
        # In one process nothing is ever lost: `lost` is never called.
        self._handler = handler
        self._task = asyncio.create_task(self._deliver(), name="memory-bus")

    async def publish(self, channel: str, message: bytes) -> None:
        if channel in self._channels:
            self._queue.put_nowait((channel, message))

    async def subscribe(self, channel: str) -> None:
        self._channels.add(channel)

    async def unsubscribe(self, channel: str) -> None:
        self._channels.discard(channel)

    async def close(self) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def ping(self) -> None:
        if self._task is None or self._task.done():
            raise RuntimeError("the memory bus is not delivering")

    async def _deliver(self) -> None:
        assert self._handler is not None
        while True:
            channel, message = await self._queue.get()
            try:
                await self._handler(channel, message)
            except Exception:  # one bad message must not stop the board's live updates
                log.exception("live update on %s failed", channel)


def create_bus(url: str) -> Bus:
    if url.startswith("memory://"):
        return MemoryBus()
    if url.startswith(("redis://", "rediss://")):
        from toolbox.live.redis_bus import RedisBus

        return RedisBus(url)
    raise ValueError(f"TOOLBOX_BROADCAST_URL must be memory:// or redis://…, not {url!r}")
