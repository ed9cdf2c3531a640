"""The hub: one per process. It keeps the websocket clients of each board and fans events out.

Each event is rendered once per audience (format, role and, for HTML, language) and the same
string is sent to every client of that audience, straight from the delivering loop when the
socket takes it at once (see `toolbox.live.client`). Per board, events are delivered strictly
in `seq` order: a gap (a message lost or overtaken on the bus) is filled from the event log
first. What an event looks like in HTML is the domains' to say (`toolbox.live.rendering`).

A new client is held until it says which `seq` it has (`{"resume": N}`, or `?after=N` on the URL,
or a short grace period): only then is it sent the events it missed, followed by what was held
back meanwhile, so it receives every event once, in order.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from toolbox import json_text
from toolbox.db import Database
from toolbox.events.log import board_seq, event_document, events_after
from toolbox.events.types import parse
from toolbox.live.bus import CHANNEL_PREFIX, Bus, board_channel
from toolbox.live.client import (
    QUEUE_LIMIT,
    LiveClient,
    Outgoing,
    enqueue,
    outgoing,
    send_frame,
    too_slow,
)
from toolbox.live.notices import NOTICES_CHANNEL, Notices
from toolbox.live.presence import Presence, RoomPresence, aggregate
from toolbox.live.rendering import (
    LiveRegistry,
    LiveView,
    audience_for,
    render_html,
    render_json,
    render_reset_html,
)

log = logging.getLogger(__name__)

#: The close code of a socket whose rights ended or changed (policy): the browser reconnects.
CLOSE_RIGHTS = 1008
MAX_REPLAY = 500  # further behind than this, a client gets a reset instead of a replay
RESUME_GRACE = 2.0  # seconds a new client may take to say where it is
_UNRENDERED: Any = object()  # not rendered yet for this audience (None: nothing to send it)


@dataclass(eq=False)
class Room:
    board_id: int
    last_seq: int
    clients: set[LiveClient] = field(default_factory=set)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    presence: RoomPresence = field(init=False)

    def __post_init__(self) -> None:
        self.presence = RoomPresence(self.board_id, self.clients)


class Hub:
    def __init__(self, db: Database, bus: Bus, live: LiveRegistry, notices: Notices) -> None:
        self.db = db
        self.bus = bus
        self.live = live
        self.notices = notices
        notices.on_ended = self._credential_ended
        self.process_id = uuid.uuid4().hex
        self.rooms: dict[int, Room] = {}
        self._heartbeat: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._catching_up: asyncio.Task[None] | None = None
        self._presence = Presence(bus, self.process_id, self._spawn)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """A background task, kept referenced until done (asyncio only keeps weak references)."""
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def start(self) -> None:
        await self.bus.start(self._on_message, self._bus_lost)
        await self.notices.start()
        self._heartbeat = asyncio.create_task(
            self._presence.heartbeat(lambda: [room.presence for room in self.rooms.values()]),
            name="presence-heartbeat",
        )

    async def stop(self) -> None:
        if self._heartbeat:
            self._heartbeat.cancel()
        for room in self.rooms.values():
            for client in room.clients:
                if client.grace is not None:
                    client.grace.cancel()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.notices.stop()
        await self.bus.close()

    # --- clients coming and going -------------------------------------------------------

    async def connect(self, client: LiveClient, board_id: int, after: int | None) -> None:
        room = self.rooms.get(board_id)
        if room is None:
            # The room is in place before the first await, so that clients connecting at the
            # same moment share it; its lock holds them (and the bus) until it knows its seq.
            room = Room(board_id=board_id, last_seq=0)
            self.rooms[board_id] = room
            async with room.lock:
                await self.bus.subscribe(board_channel(board_id))
                async with self.db.read() as session:
                    room.last_seq = await board_seq(session, board_id)
        room.clients.add(client)
        self._presence.greet(room.presence, client)
        self._presence_changed(room)
        if after is not None:
            await self.resume(client, board_id, after)
        else:
            # A timer rather than a task for each client while it may say where it is: most
            # say it at once, and the timer is cancelled then (`_release_held`).
            client.grace = asyncio.get_running_loop().call_later(
                RESUME_GRACE, self._grace_over, client, room
            )

    async def disconnect(self, client: LiveClient, board_id: int) -> None:
        client.closing = True
        if client.sending is not None:
            client.sending.cancel()
        if client.grace is not None:
            client.grace.cancel()
            client.grace = None
        room = self.rooms.get(board_id)
        if room is None:
            return
        room.clients.discard(client)
        self._presence_changed(room)

    # --- resuming -------------------------------------------------------------------------

    async def resume(self, client: LiveClient, board_id: int, after: int) -> None:
        room = self.rooms[board_id]
        async with room.lock:
            if client.started:
                return  # events after its start are on their way in order already
            if after == room.last_seq:
                # Nothing missed (the usual case): what comes next arrives through the bus.
                client.sent_seq = after
                await self._release_held(client)
                return
            async with self.db.read() as session:
                seq = await board_seq(session, board_id)
                if after > seq or seq - after > MAX_REPLAY:
                    await self._send_reset(client, board_id, seq)
                    client.sent_seq = seq
                else:
                    missed = [
                        event_document(e) for e in await events_after(session, board_id, after)
                    ]
                    client.sent_seq = after
                    for event in missed:
                        await self._send_one(client, event, {})
            await self._release_held(client)

    def _grace_over(self, client: LiveClient, room: Room) -> None:
        client.grace = None
        if not client.started and client in room.clients:
            self._spawn(self._start_live_now(client, room))

    async def _start_live_now(self, client: LiveClient, room: Room) -> None:
        """A client that never said where it is: live from when it joined."""
        async with room.lock:
            if client.started or client not in room.clients:
                return
            client.sent_seq = client.held[0]["seq"] - 1 if client.held else room.last_seq
            await self._release_held(client)

    async def _release_held(self, client: LiveClient) -> None:
        """Send what arrived while the client was held, in order, then let it go live."""
        held, client.held = client.held or [], []
        for event in held:
            if event["seq"] > client.sent_seq:
                await self._send_one(client, event, {})
        client.started = True
        client.held = None  # live: nothing is held for it any more
        if client.grace is not None:
            client.grace.cancel()
            client.grace = None

    async def _send_one(
        self, client: LiveClient, event: dict[str, Any], cache: dict[str, LiveView | None]
    ) -> None:
        if client.format == "json":
            enqueue(client, render_json(event, client.audience), self._spawn)
        else:
            if "view" not in cache:
                cache["view"] = await self.live.load_view(self.db, event)
            view = cache["view"]
            audience = audience_for(client.audience, client.user_id, view)
            enqueue(client, render_html(event, audience, view), self._spawn)
        client.sent_seq = event["seq"]

    async def _send_reset(self, client: LiveClient, board_id: int, seq: int) -> None:
        if client.format == "json":
            enqueue(client, json_text.dump_text({"type": "reset", "seq": seq}), self._spawn)
            return
        view = await self.live.load_reset(self.db, board_id)
        if view is not None:
            enqueue(client, render_reset_html(client.audience, view, seq), self._spawn)

    # --- events from the bus --------------------------------------------------------------

    def _bus_lost(self) -> None:
        """The bus may have dropped messages (its connection went, or came back): forget what
        it taught, and give every room what the event log holds past its last seq, so that no
        client waits for the next change to see the ones it missed."""
        self.notices.lost()
        if self._catching_up is None or self._catching_up.done():
            self._catching_up = self._spawn(self._catch_up())

    async def _catch_up(self) -> None:
        try:
            for room in list(self.rooms.values()):
                async with room.lock:
                    async with self.db.read() as session:
                        rows = await events_after(session, room.board_id, room.last_seq, MAX_REPLAY)
                    for event in [event_document(row) for row in rows]:
                        self._rights_changed(room, event)
                        await self._deliver(room, event)
                        room.last_seq = event["seq"]
        except Exception:  # the database too may be away: the next change fills the gap
            log.exception("could not catch up after the bus was lost")

    async def _on_message(self, channel: str, payload: bytes) -> None:
        if channel == NOTICES_CHANNEL:
            self.notices.receive(payload)
            return
        board_id = int(channel.removeprefix(CHANNEL_PREFIX))
        room = self.rooms.get(board_id)
        if room is None:
            return
        message = json_text.load(payload)
        if "presence" in message:
            self._presence.receive(room.presence, message["presence"])
            return
        async with room.lock:
            if message["seq"] <= room.last_seq:
                return  # already delivered (it was fetched to fill a gap)
            events = []
            if message["seq"] > room.last_seq + 1:
                async with self.db.read() as session:
                    rows = await events_after(session, board_id, room.last_seq, MAX_REPLAY)
                events = [event_document(row) for row in rows if row.seq < message["seq"]]
            for event in [*events, message]:
                self._rights_changed(room, event)
                await self._deliver(room, event)
                room.last_seq = event["seq"]

    # --- rights that ended or changed --------------------------------------------------------

    def _credential_ended(self, kind: str, token_hash: str) -> None:
        """A session ended (or a token was revoked): the sockets let in with it are closed, in
        this process, now; they were let in as someone who no longer is."""
        for room in self.rooms.values():
            for client in list(room.clients):
                if client.credential == (kind, token_hash):
                    self._turn_away(client, "signed out")

    def _rights_changed(self, room: Room, event: dict[str, Any]) -> None:
        """A person's role on the board changed: their sockets here were let in with the old
        one, so they are closed before the event (and any later one) is delivered; the browser
        reconnects and is let in with the new one."""
        declared = parse(event["type"], event.get("data") or {})
        person = declared.rights_changed_for if declared is not None else None
        if person is None:
            return
        for client in list(room.clients):
            if client.user_id == person:
                self._turn_away(client, "role changed")

    def _turn_away(self, client: LiveClient, reason: str) -> None:
        client.closing = True  # nothing more is sent to it, from this moment
        self._spawn(client.close(CLOSE_RIGHTS, reason))

    async def _deliver(self, room: Room, event: dict[str, Any]) -> None:
        # Run once per client of the room for every event: what does not change from one
        # client to the next is looked up once, before the loop.
        rendered: dict[tuple[Any, ...], Outgoing | None] = {}
        view: LiveView | None = None
        view_loaded = False
        seq = event["seq"]
        spawn = self._spawn
        for client in list(room.clients):
            if not client.started:
                held = client.held
                if held is not None:
                    held.append(event)
                    if len(held) > QUEUE_LIMIT:
                        too_slow(client, spawn)
                continue
            if seq <= client.sent_seq:
                continue
            key: tuple[Any, ...] = client.key
            audience = client.audience
            if client.format == "html":
                if not view_loaded:
                    view = await self.live.load_view(self.db, event)
                    view_loaded = True
                if view is not None:
                    audience = audience_for(audience, client.user_id, view)
                    if audience.user_id is not None:
                        key = (*key, audience.user_id)  # their own booking or session: theirs
            message = rendered.get(key, _UNRENDERED)
            if message is _UNRENDERED:
                if client.format == "json":
                    message = rendered[key] = outgoing(render_json(event, audience))
                else:
                    message = rendered[key] = outgoing(render_html(event, audience, view))
            send_frame(client, message, spawn)
            client.sent_seq = seq

    # --- presence -------------------------------------------------------------------------

    def presence(self, board_id: int) -> dict[str, Any] | None:
        room = self.rooms.get(board_id)
        return aggregate(room.presence) if room else None

    def _presence_changed(self, room: Room) -> None:
        self._presence.changed(room.presence, lambda: self._close_if_empty(room))

    async def _close_if_empty(self, room: Room) -> None:
        if not room.clients and self.rooms.get(room.board_id) is room:
            del self.rooms[room.board_id]
            await self.bus.unsubscribe(board_channel(room.board_id))
