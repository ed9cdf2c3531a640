"""The board's websocket, `/b/{slug}/ws`: authenticated like the pages, same origin only.

Browsers get HTML fragments for htmx; `?format=json` gets one JSON object per event. The only
message a client may send is `{"resume": SEQ}`; anything else closes the socket with a reason.

It is served by `serve_board_socket`, called by the app before Starlette's middleware and router
(see `toolbox.app.ToolboxApp`): a socket stays open for hours, and each of those layers would
keep its frames, closures and copies of the headers alive for every idle client (about 7 KB
each); and the hub sends to the server's own `send`, past those layers, for the same reason.

For the same reason, what only the handshake needs (Starlette's `WebSocket`, its parsed headers
and query, the principal, who the board says is connecting) lives in `_handshake`'s frame and
scope, and goes with them; the socket's life is one coroutine, `serve_board_socket`, awaiting
the server's own `receive` (docs/performance.md: "Memory per idle client: where the app's
share went").
"""

from __future__ import annotations

import json
import logging
import re
import time
from typing import Any

from starlette.applications import Starlette
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket

from toolbox.errors import DomainError
from toolbox.live.client import LiveClient, audience_of
from toolbox.live.hub import Hub
from toolbox.live.socket_count import SocketCount
from toolbox.live.wire import frame_writer
from toolbox.middleware import resolve_context, security_headers
from toolbox.security import same_origin
from toolbox.settings import Settings

log = logging.getLogger(__name__)

MAX_MESSAGE = 64 * 1024
CLOSE_POLICY = 1008  # a message we do not understand; rights that ended or changed
CLOSE_TOO_BIG = 1009
SOCKET_PATH = re.compile(r"^/b/(?P<slug>[^/]+)/ws$")
#: Messages a client may send on one socket in a window of MESSAGE_WINDOW seconds (starting with
#: its first message): a browser sends one `resume` per (re)connection, so anything near this is
#: a script hammering the hub's replay, and its socket is closed. Counted in the socket's own
#: frame: one socket's count is nobody else's, and it goes with the socket.
MESSAGES_PER_WINDOW = 10
MESSAGE_WINDOW = 10.0

# What the handshake hands to the socket's life: the client, its board, where it resumes from,
# and its ticket among its credential's sockets (`toolbox.live.socket_count`), if it has one.
Admitted = tuple[LiveClient, int, int | None, str | None]


def _origin_allowed(websocket: WebSocket) -> bool:
    origin = websocket.headers.get("origin")
    if origin is None:
        return True  # not a browser (a script, the benchmark): no ambient credentials to abuse
    scheme = "https" if websocket.url.scheme == "wss" else "http"
    settings: Settings = websocket.app.state.settings
    return same_origin(
        origin, host=websocket.headers.get("host"), scheme=scheme, base_url=settings.base_url
    )


def _resume_seq(text: str) -> int | None:
    try:
        message = json.loads(text)
    except ValueError:
        return None
    if not isinstance(message, dict) or set(message) != {"resume"}:
        return None
    seq = message["resume"]
    return seq if isinstance(seq, int) and not isinstance(seq, bool) and seq >= 0 else None


def socket_slug(path: str) -> str | None:
    """The board's slug if `path` is a board's websocket."""
    match = SOCKET_PATH.match(path)
    return match["slug"] if match else None


async def serve_board_socket(
    app: Starlette, slug: str, scope: Scope, receive: Receive, send: Send
) -> None:
    admitted = await _handshake(app, slug, scope, receive, send)
    if admitted is None:
        return
    client, board_id, after, ticket = admitted
    del admitted  # this frame lives as long as the socket: it keeps what it needs, no more
    hub: Hub = app.state.hub
    window_ends, messages = 0.0, 0
    try:
        await hub.connect(client, board_id, after)
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                break
            text = message.get("text")
            if text is None:
                text = (message.get("bytes") or b"").decode("utf-8", errors="replace")
            now = time.monotonic()
            if now >= window_ends:
                window_ends, messages = now + MESSAGE_WINDOW, 0
            messages += 1
            if messages > MESSAGES_PER_WINDOW:
                await client.close(CLOSE_POLICY, "too many messages (10 in 10 seconds at most)")
                break
            if len(text) > MAX_MESSAGE:
                await client.close(CLOSE_TOO_BIG, "message too big (64 KiB at most)")
                break
            seq = _resume_seq(text)
            if seq is None:
                await client.close(
                    CLOSE_POLICY, 'unknown message: only {"resume": SEQ} is understood'
                )
                break
            await hub.resume(client, board_id, seq)
    finally:
        await hub.disconnect(client, board_id)
        if ticket is not None and client.credential is not None:
            sockets: SocketCount = app.state.socket_count
            await sockets.release(client.credential, ticket)


async def _handshake(
    app: Starlette, slug: str, server_scope: Scope, receive: Receive, send: Send
) -> Admitted | None:
    """Who connects and whether they may, then the handshake's answer; None if refused (the
    socket is closed). The server keeps its scope for the socket's life: what the app adds for
    the handshake (itself, the slug, the principal) goes in a scope of the handshake's own."""
    scope: dict[str, Any] = {**server_scope, "app": app, "path_params": {"slug": slug}}
    context = await resolve_context(scope, identify=app.state.identify, settings=app.state.settings)
    websocket = WebSocket(scope, receive, send)
    if context is None:  # a bearer token that is not valid
        await websocket.close(code=CLOSE_POLICY)
        return None
    scope["state"] = {**scope.get("state", {}), **context}
    if not _origin_allowed(websocket):
        await websocket.close(code=CLOSE_POLICY)  # before accept: the handshake gets a 403
        return None
    hub: Hub = app.state.hub
    credential: tuple[str, str] | None = context["credential"]
    ticket: str | None = None
    if credential is not None:
        # At most MAX_SOCKETS_PER_CREDENTIAL per session or token, every process together.
        sockets: SocketCount = app.state.socket_count
        ticket = await sockets.admit(credential)
        if ticket is None:
            await websocket.close(code=CLOSE_POLICY)  # before accept: the handshake gets a 403
            return None
    accepted = False
    try:
        try:
            # The board says who this is there (and refuses those who may not watch it).
            who = await hub.live.who_is_connecting(websocket, slug)
        except DomainError:
            await websocket.close(code=CLOSE_POLICY)
            return None
        after_text = websocket.query_params.get("after", "")
        after = int(after_text) if after_text.isdigit() and len(after_text) < 18 else None
        # The handshake's answer carries the same headers as every HTTP response (DESIGN.md §6).
        await websocket.accept(headers=security_headers(app.state.settings))
        accepted = True
    finally:
        if not accepted and credential is not None and ticket is not None:
            await app.state.socket_count.release(credential, ticket)
    client = LiveClient(
        audience=audience_of(who.audience, context["locale"]),
        format="json" if websocket.query_params.get("format") == "json" else "html",
        name=who.name,
        user_id=who.user_id,
        send=send,
        write_frame=frame_writer(server_scope),
        credential=credential,
    )
    return client, who.board_id, after, ticket
