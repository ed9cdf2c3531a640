"""One websocket client of the hub, and sending to it: at once when its socket takes the frame
(the usual case, with no task involved: written straight to the socket when the server offers
that, `toolbox.live.wire`, else through its ASGI `send`), else in order behind the send that had
to wait; a client that falls too far behind is closed, and reconnects and resumes.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from starlette.types import Message as Frame
from starlette.types import Send
from starlette.websockets import WebSocketDisconnect

from toolbox.events.audience import Audience
from toolbox.live.eager import start_eagerly
from toolbox.live.wire import WriteFrame, text_frame

log = logging.getLogger(__name__)

QUEUE_LIMIT = 256  # messages waiting for one client before it is deemed too slow
CLOSE_TOO_SLOW = 1013  # "try again later": browsers (htmx) reconnect and resume
# What a send to a socket that is gone raises: the server an OSError (peer gone) or a
# RuntimeError (a send after the close); Starlette, for the close, WebSocketDisconnect.
SEND_FAILURES = (WebSocketDisconnect, RuntimeError, OSError)

# Starts a background task that the hub keeps referenced until it is done.
Spawn = Callable[[Coroutine[Any, Any, None]], "asyncio.Task[None]"]


@functools.lru_cache(maxsize=256)
def audience_of(role: str, locale: str) -> Audience:
    """The audience of a role in a language: one immutable object shared by all its clients,
    rather than one per socket."""
    return Audience(role, locale)


@functools.lru_cache(maxsize=256)
def _key(format: str, role: str, locale: str) -> tuple[str, str, str]:
    return (format, role, locale)


@dataclass(eq=False, slots=True)
class LiveClient:
    audience: Audience
    format: str  # "html" or "json"
    name: str
    user_id: int | None
    send: Send  # the server's own ASGI send for this socket (see toolbox.live.socket)
    #: The server's frame writer for this socket (`toolbox.live.wire`), if it offers one.
    write_frame: WriteFrame | None = None
    #: The kind and hash of the credential it was let in with: closed when that ends.
    credential: tuple[str, str] | None = None
    started: bool = False
    sent_seq: int = 0
    #: Events that arrived before it said where it is; None once it is live.
    held: list[dict[str, Any]] | None = field(default_factory=list)
    closing: bool = False
    # Messages behind a send that had to wait for the socket, and the task finishing that send.
    backlog: deque[Frame] | None = None  # made when first needed: most clients never need it
    sending: asyncio.Task[None] | None = None
    #: While it may still say where it is (`{"resume": N}`): the timer that starts it anyway.
    grace: asyncio.TimerHandle | None = None

    # Who receives the same bytes as this client: format, role and (for HTML) language.
    key: tuple[str, str, str] = field(init=False)

    def __post_init__(self) -> None:
        locale = self.audience.locale if self.format == "html" else ""
        self.key = _key(self.format, self.audience.role, locale)

    async def close(self, code: int, reason: str) -> None:
        """Close the socket with `code` and `reason`; nothing more is sent to it. Through the
        server's own `send`, as every message: a socket already closed or gone is no error."""
        self.closing = True
        with contextlib.suppress(*SEND_FAILURES):
            await self.send({"type": "websocket.close", "code": code, "reason": reason})


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message for every client of an audience: as ASGI's `send` takes it (a dict the
    server only reads), and as the frame a frame writer writes; each made once."""

    asgi: Frame
    wire: bytes


def outgoing(text: str | None) -> Outgoing | None:
    if text is None:
        return None
    return Outgoing({"type": "websocket.send", "text": text}, text_frame(text))


def enqueue(client: LiveClient, text: str | None, spawn: Spawn) -> None:
    send_frame(client, outgoing(text), spawn)


def send_frame(client: LiveClient, message: Outgoing | None, spawn: Spawn) -> None:
    """Send `message` to `client` now if its socket takes it at once; else queue it behind the
    send that is waiting, in order."""
    if message is None or client.closing:
        return
    if client.sending is not None:
        if client.backlog is None:
            client.backlog = deque()
        if len(client.backlog) >= QUEUE_LIMIT:
            too_slow(client, spawn)
        else:
            client.backlog.append(message.asgi)
        return
    if client.write_frame is not None and client.write_frame(message.wire):
        return
    try:
        rest = start_eagerly(client.send(message.asgi))
    except SEND_FAILURES as error:
        _send_failed(client, error)  # its own receive loop says goodbye to the hub
        return
    if rest is not None:
        client.sending = spawn(_send_in_order(client, rest))


async def _send_in_order(client: LiveClient, waiting: Coroutine[Any, Any, None]) -> None:
    try:
        await waiting
        while client.backlog and not client.closing:
            await client.send(client.backlog.popleft())
    except SEND_FAILURES as error:
        _send_failed(client, error)
    finally:
        client.backlog = None
        client.sending = None


def too_slow(client: LiveClient, spawn: Spawn) -> None:
    if not client.closing:
        client.closing = True
        spawn(client.close(CLOSE_TOO_SLOW, "too slow: reconnect and resume"))


def _send_failed(client: LiveClient, error: Exception) -> None:
    """A socket that went away is routine; a send refused on a socket we did not close is not,
    and must not pass in silence (a send stepped wrongly would look just like it)."""
    if isinstance(error, RuntimeError) and not client.closing:
        log.warning("a send to an open websocket failed: %s", error)
