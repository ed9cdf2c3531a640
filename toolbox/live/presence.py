"""Who is watching a board: a count and the facilitators' names, gathered across processes.

Each process publishes its own clients of a board on the bus (after a short delay that gathers
comings and goings, and again on a heartbeat); every process sums the fresh entries and sends
the summary to its clients when it changes.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from toolbox import i18n
from toolbox.live.bus import Bus, board_channel
from toolbox.live.client import LiveClient, Outgoing, Spawn, outgoing, send_frame
from toolbox.live.publish import encode
from toolbox.templating import render_fragment

log = logging.getLogger(__name__)

PRESENCE_DELAY = 0.5  # presence changes are gathered for this long before they are sent
PRESENCE_HEARTBEAT = 20.0
PRESENCE_TTL = 60.0


@dataclass(eq=False)
class RoomPresence:
    """One board's presence in this process: every process's last entry, and what was shown."""

    board_id: int
    clients: set[LiveClient]  # the room's own set
    by_process: dict[str, dict[str, Any]] = field(default_factory=dict)
    shown: dict[str, Any] | None = None
    task: asyncio.Task[None] | None = None


class Presence:
    def __init__(self, bus: Bus, process_id: str, spawn: Spawn) -> None:
        self.bus = bus
        self.process_id = process_id
        self.spawn = spawn

    def greet(self, presence: RoomPresence, client: LiveClient) -> None:
        """Who is here now; the count with this newcomer follows once it is gathered."""
        if presence.shown is not None:
            self._send(client, presence.shown, {})

    async def publish(self, presence: RoomPresence) -> None:
        facilitators = sorted(
            {c.name for c in presence.clients if c.audience.is_facilitator and c.name}
        )
        local = {
            "process": self.process_id,
            "count": len(presence.clients),
            "facilitators": facilitators,
            "at": time.time(),
        }
        self.receive(presence, local)  # the bus may not echo to ourselves in time
        try:
            await self.bus.publish(board_channel(presence.board_id), encode({"presence": local}))
        except Exception:
            log.exception("could not publish presence of board %s", presence.board_id)

    def changed(
        self, presence: RoomPresence, then: Callable[[], Coroutine[Any, Any, None]]
    ) -> None:
        """Someone came or went: publish soon (gathering what else changes meanwhile), then
        `then` (the hub closes a room left empty)."""
        if presence.task is None or presence.task.done():
            presence.task = self.spawn(self._publish_soon(presence, then))

    async def _publish_soon(
        self, presence: RoomPresence, then: Callable[[], Coroutine[Any, Any, None]]
    ) -> None:
        await asyncio.sleep(PRESENCE_DELAY)
        await self.publish(presence)
        await then()

    async def heartbeat(self, rooms: Callable[[], list[RoomPresence]]) -> None:
        """Publish every room's presence now and then: an entry not renewed goes stale."""
        while True:
            await asyncio.sleep(PRESENCE_HEARTBEAT)
            for presence in rooms():
                await self.publish(presence)

    def receive(self, presence: RoomPresence, entry: dict[str, Any]) -> None:
        presence.by_process[str(entry["process"])] = entry
        summary = aggregate(presence)
        if summary == presence.shown:
            return
        presence.shown = summary
        rendered: dict[tuple[str, str, str], Outgoing | None] = {}
        for client in presence.clients:
            self._send(client, summary, rendered)

    def _send(
        self,
        client: LiveClient,
        summary: dict[str, Any],
        rendered: dict[tuple[str, str, str], Outgoing | None],
    ) -> None:
        key = client.key
        if key not in rendered:
            if client.format == "json":
                rendered[key] = outgoing(json.dumps({"type": "presence", "data": summary}))
            else:
                with i18n.use_locale(client.audience.locale):
                    rendered[key] = outgoing(
                        render_fragment("board/_presence.html", presence=summary, oob=True)
                    )
        send_frame(client, rendered[key], self.spawn)


def aggregate(presence: RoomPresence) -> dict[str, Any]:
    now = time.time()
    fresh = [e for e in presence.by_process.values() if now - float(e["at"]) < PRESENCE_TTL]
    return {
        "count": sum(int(e["count"]) for e in fresh),
        "facilitators": sorted({name for e in fresh for name in e["facilitators"]}),
    }
