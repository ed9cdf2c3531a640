"""The hub: one per process. It keeps the websocket clients of each board and fans events out.

Each event is rendered once per audience (format, role and, for HTML, language) and the same
string is sent to every client of that audience, straight from the delivering loop when the
socket takes it at once (see `toolbox.live.eager`). Per board, events are delivered strictly in
`seq` order: a gap (a message lost or overtaken on the bus) is filled from the event log first.

A new client is held until it says which `seq` it has (`{"resume": N}`, or `?after=N` on the URL,
or a short grace period): only then is it sent the events it missed, followed by what was held
back meanwhile, so it receives every event once, in order.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from starlette.types import Message as Frame
from starlette.types import Send
from starlette.websockets import WebSocketDisconnect

from toolbox import i18n
from toolbox.board.models import Board
from toolbox.db import Database
from toolbox.events.log import event_document, events_after
from toolbox.live.audience import Audience
from toolbox.live.bus import CHANNEL_PREFIX, Bus, board_channel
from toolbox.live.eager import start_eagerly
from toolbox.live.publish import encode
from toolbox.live.render import (
    BoardState,
    load_state,
    load_whole_board,
    needs_html,
    render_html,
    render_json,
    render_reset_html,
)
from toolbox.templating import render_fragment

log = logging.getLogger(__name__)

QUEUE_LIMIT = 256  # messages waiting for one client before it is deemed too slow
MAX_REPLAY = 500  # further behind than this, a client gets a reset instead of a replay
RESUME_GRACE = 2.0  # seconds a new client may take to say where it is
PRESENCE_DELAY = 0.5  # presence changes are gathered for this long before they are sent
PRESENCE_HEARTBEAT = 20.0
PRESENCE_TTL = 60.0
CLOSE_TOO_SLOW = 1013  # "try again later": browsers (htmx) reconnect and resume
# What a send to a socket that is gone raises: the server an OSError (peer gone) or a
# RuntimeError (a send after the close); Starlette, for the close, WebSocketDisconnect.
SEND_FAILURES = (WebSocketDisconnect, RuntimeError, OSError)


@dataclass(eq=False, slots=True)
class LiveClient:
    audience: Audience
    format: str  # "html" or "json"
    name: str
    user_id: int | None
    send: Send  # the server's own ASGI send for this socket (see toolbox.live.views)
    close: Callable[[int, str], Coroutine[Any, Any, None]]
    started: bool = False
    sent_seq: int = 0
    held: list[dict[str, Any]] = field(default_factory=list)
    closing: bool = False
    # Messages behind a send that had to wait for the socket, and the task finishing that send.
    backlog: deque[Frame] | None = None  # made when first needed: most clients never need it
    sending: asyncio.Task[None] | None = None

    # Who receives the same bytes as this client: format, role and (for HTML) language.
    key: tuple[str, str, str] = field(init=False)

    def __post_init__(self) -> None:
        locale = self.audience.locale if self.format == "html" else ""
        self.key = (self.format, self.audience.role, locale)


@dataclass(eq=False)
class Room:
    board_id: int
    last_seq: int
    clients: set[LiveClient] = field(default_factory=set)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    presence_by_process: dict[str, dict[str, Any]] = field(default_factory=dict)
    shown_presence: dict[str, Any] | None = None
    presence_task: asyncio.Task[None] | None = None


class Hub:
    def __init__(self, db: Database, bus: Bus) -> None:
        self.db = db
        self.bus = bus
        self.process_id = uuid.uuid4().hex
        self.rooms: dict[int, Room] = {}
        self._heartbeat: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def _spawn(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """A background task, kept referenced until done (asyncio only keeps weak references)."""
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def start(self) -> None:
        await self.bus.start(self._on_message)
        self._heartbeat = asyncio.create_task(self._beat(), name="presence-heartbeat")

    async def stop(self) -> None:
        if self._heartbeat:
            self._heartbeat.cancel()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
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
                room.last_seq = await self._board_seq(board_id)
        room.clients.add(client)
        if room.shown_presence is not None:
            # Who is here now; the count with this newcomer follows once it is gathered.
            self._send_presence(client, room.shown_presence, {})
        self._presence_changed(room)
        if after is not None:
            await self.resume(client, board_id, after)
        else:
            self._spawn(self._start_live_later(client, room))

    async def disconnect(self, client: LiveClient, board_id: int) -> None:
        client.closing = True
        if client.sending is not None:
            client.sending.cancel()
        room = self.rooms.get(board_id)
        if room is None:
            return
        room.clients.discard(client)
        self._presence_changed(room)

    def presence(self, board_id: int) -> dict[str, Any] | None:
        room = self.rooms.get(board_id)
        return self._aggregate_presence(room) if room else None

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
                board_seq = await self._board_seq(board_id, session)
                if after > board_seq or board_seq - after > MAX_REPLAY:
                    await self._send_reset(client, board_id, board_seq)
                    client.sent_seq = board_seq
                else:
                    missed = [
                        event_document(e) for e in await events_after(session, board_id, after)
                    ]
                    client.sent_seq = after
                    for event in missed:
                        await self._send_one(client, event, {})
            await self._release_held(client)

    async def _start_live_later(self, client: LiveClient, room: Room) -> None:
        """A client that never said where it is: live from when it joined."""
        await asyncio.sleep(RESUME_GRACE)
        async with room.lock:
            if client.started or client not in room.clients:
                return
            client.sent_seq = client.held[0]["seq"] - 1 if client.held else room.last_seq
            await self._release_held(client)

    async def _release_held(self, client: LiveClient) -> None:
        """Send what arrived while the client was held, in order, then let it go live."""
        held, client.held = client.held, []
        for event in held:
            if event["seq"] > client.sent_seq:
                await self._send_one(client, event, {})
        client.started = True

    async def _send_one(
        self, client: LiveClient, event: dict[str, Any], cache: dict[str, BoardState | None]
    ) -> None:
        if client.format == "json":
            self._enqueue(client, render_json(event, client.audience))
        else:
            if "state" not in cache:
                cache["state"] = await load_state(self.db, event) if needs_html(event) else None
            state = cache["state"]
            audience = client.audience
            if state is not None and _gets_own_rendering(client, state):
                audience = Audience(audience.role, audience.locale, client.user_id)
            self._enqueue(client, render_html(event, audience, state))
        client.sent_seq = event["seq"]

    async def _send_reset(self, client: LiveClient, board_id: int, seq: int) -> None:
        if client.format == "json":
            self._enqueue(client, json.dumps({"type": "reset", "seq": seq}))
            return
        state = await load_whole_board(self.db, board_id)
        if state is not None:
            self._enqueue(client, render_reset_html(client.audience, state, seq))

    # --- events from the bus --------------------------------------------------------------

    async def _on_message(self, channel: str, payload: bytes) -> None:
        board_id = int(channel.removeprefix(CHANNEL_PREFIX))
        room = self.rooms.get(board_id)
        if room is None:
            return
        message = json.loads(payload)
        if "presence" in message:
            self._receive_presence(room, message["presence"])
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
                await self._deliver(room, event)
                room.last_seq = event["seq"]

    async def _deliver(self, room: Room, event: dict[str, Any]) -> None:
        rendered: dict[tuple[Any, ...], Frame | None] = {}
        state: BoardState | None = None
        state_loaded = False
        seq = event["seq"]
        for client in list(room.clients):
            if not client.started:
                client.held.append(event)
                if len(client.held) > QUEUE_LIMIT:
                    self._too_slow(client)
                continue
            if seq <= client.sent_seq:
                continue
            key: tuple[Any, ...] = client.key
            audience = client.audience
            if client.format == "html" and not state_loaded:
                state = await load_state(self.db, event) if needs_html(event) else None
                state_loaded = True
            if state is not None and _gets_own_rendering(client, state):
                # Their own booking or session is in this change: rendered for them alone.
                key = (*key, client.user_id)
                audience = Audience(audience.role, audience.locale, client.user_id)
            if key not in rendered:
                if client.format == "json":
                    rendered[key] = _frame(render_json(event, audience))
                else:
                    rendered[key] = _frame(render_html(event, audience, state))
            self._send_frame(client, rendered[key])
            client.sent_seq = seq

    def _enqueue(self, client: LiveClient, text: str | None) -> None:
        self._send_frame(client, _frame(text))

    def _send_frame(self, client: LiveClient, frame: Frame | None) -> None:
        """Send `frame` to `client` now if its socket takes it at once (the usual case, and no
        task is involved); else queue it behind the send that is waiting, in order. The same
        frame (a dict the server only reads) goes to every client of an audience."""
        if frame is None or client.closing:
            return
        if client.sending is not None:
            if client.backlog is None:
                client.backlog = deque()
            if len(client.backlog) >= QUEUE_LIMIT:
                self._too_slow(client)
            else:
                client.backlog.append(frame)
            return
        try:
            rest = start_eagerly(client.send(frame))
        except SEND_FAILURES as error:
            _send_failed(client, error)  # its own receive loop says goodbye to the hub
            return
        if rest is not None:
            client.sending = self._spawn(self._send_in_order(client, rest))

    async def _send_in_order(self, client: LiveClient, waiting: Coroutine[Any, Any, None]) -> None:
        try:
            await waiting
            while client.backlog and not client.closing:
                await client.send(client.backlog.popleft())
        except SEND_FAILURES as error:
            _send_failed(client, error)
        finally:
            client.backlog = None
            client.sending = None

    def _too_slow(self, client: LiveClient) -> None:
        if not client.closing:
            client.closing = True
            self._spawn(client.close(CLOSE_TOO_SLOW, "too slow: reconnect and resume"))

    async def _board_seq(self, board_id: int, session: Any = None) -> int:
        if session is None:
            async with self.db.read() as own:
                return await self._board_seq(board_id, own)
        seq = await session.scalar(select(Board.seq).where(Board.id == board_id))
        return int(seq or 0)

    # --- presence -------------------------------------------------------------------------

    def _presence_changed(self, room: Room) -> None:
        if room.presence_task is None or room.presence_task.done():
            room.presence_task = self._spawn(self._publish_presence_soon(room))

    async def _publish_presence_soon(self, room: Room) -> None:
        await asyncio.sleep(PRESENCE_DELAY)
        await self._publish_presence(room)
        if not room.clients and self.rooms.get(room.board_id) is room:
            del self.rooms[room.board_id]
            await self.bus.unsubscribe(board_channel(room.board_id))

    async def _publish_presence(self, room: Room) -> None:
        facilitators = sorted(
            {c.name for c in room.clients if c.audience.is_facilitator and c.name}
        )
        local = {
            "process": self.process_id,
            "count": len(room.clients),
            "facilitators": facilitators,
            "at": time.time(),
        }
        self._receive_presence(room, local)  # the bus may not echo to ourselves in time
        try:
            await self.bus.publish(board_channel(room.board_id), encode({"presence": local}))
        except Exception:
            log.exception("could not publish presence of board %s", room.board_id)

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(PRESENCE_HEARTBEAT)
            for room in list(self.rooms.values()):
                await self._publish_presence(room)

    def _receive_presence(self, room: Room, entry: dict[str, Any]) -> None:
        room.presence_by_process[str(entry["process"])] = entry
        summary = self._aggregate_presence(room)
        if summary == room.shown_presence:
            return
        room.shown_presence = summary
        rendered: dict[tuple[str, str, str], str] = {}
        for client in room.clients:
            self._send_presence(client, summary, rendered)

    def _send_presence(
        self,
        client: LiveClient,
        summary: dict[str, Any],
        rendered: dict[tuple[str, str, str], str],
    ) -> None:
        key = client.key
        if key not in rendered:
            if client.format == "json":
                rendered[key] = json.dumps({"type": "presence", "data": summary})
            else:
                with i18n.use_locale(client.audience.locale):
                    rendered[key] = render_fragment(
                        "board/_presence.html", presence=summary, oob=True
                    )
        self._enqueue(client, rendered[key])

    def _aggregate_presence(self, room: Room) -> dict[str, Any]:
        now = time.time()
        fresh = [
            e for e in room.presence_by_process.values() if now - float(e["at"]) < PRESENCE_TTL
        ]
        return {
            "count": sum(int(e["count"]) for e in fresh),
            "facilitators": sorted({name for e in fresh for name in e["facilitators"]}),
        }


def _gets_own_rendering(client: LiveClient, state: BoardState) -> bool:
    """Facilitators see every detail as a role; an expert or participant sees details only of
    their own sessions and bookings, so for those they get a rendering of their own."""
    return (
        client.user_id is not None
        and not client.audience.is_facilitator
        and client.user_id in state.involved
    )


def _send_failed(client: LiveClient, error: Exception) -> None:
    """A socket that went away is routine; a send refused on a socket we did not close is not,
    and must not pass in silence (a send stepped wrongly would look just like it)."""
    if isinstance(error, RuntimeError) and not client.closing:
        log.warning("a send to an open websocket failed: %s", error)


def _frame(text: str | None) -> Frame | None:
    return None if text is None else {"type": "websocket.send", "text": text}
