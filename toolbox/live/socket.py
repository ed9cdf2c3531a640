"""The board's websocket, `/b/{slug}/ws`: authenticated like the pages, same origin only.

Browsers get HTML fragments for htmx; `?format=json` gets one JSON object per event. The only
message a client may send is `{"resume": SEQ}`; anything else closes the socket with a reason.

It is served by `serve_board_socket`, called by the app before Starlette's middleware and router
(see `toolbox.app.ToolboxApp`): a socket stays open for hours, and each of those layers would
keep its frames, closures and copies of the headers alive for every idle client (about 7 KB
each); and the hub sends to the server's own `send`, past those layers, for the same reason.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import re

from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter
from starlette.applications import Starlette
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect

from toolbox.errors import DomainError
from toolbox.events.audience import Audience
from toolbox.live.client import LiveClient
from toolbox.live.hub import Hub
from toolbox.live.socket_count import SocketCount
from toolbox.middleware import resolve_context, security_headers
from toolbox.security import same_origin
from toolbox.settings import Settings

log = logging.getLogger(__name__)

MAX_MESSAGE = 64 * 1024
CLOSE_POLICY = 1008  # a message we do not understand; rights that ended or changed
CLOSE_TOO_BIG = 1009
SOCKET_PATH = re.compile(r"^/b/(?P<slug>[^/]+)/ws$")
#: Messages a client may send on one socket: a browser sends one `resume` per (re)connection, so
#: anything near this is a script hammering the hub's replay, and its socket is closed.
MESSAGE_RATE = RateLimitItemPerSecond(10, 10)
_messages = FixedWindowRateLimiter(MemoryStorage())
_socket_numbers = itertools.count()


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
    scope["app"] = app
    scope["path_params"] = {"slug": slug}
    context = await resolve_context(scope, identify=app.state.identify, settings=app.state.settings)
    websocket = WebSocket(scope, receive, send)
    if context is None:  # a bearer token that is not valid
        await websocket.close(code=CLOSE_POLICY)
        return
    scope.setdefault("state", {}).update(context)
    await board_socket(websocket, send)


async def board_socket(websocket: WebSocket, server_send: Send) -> None:
    if not _origin_allowed(websocket):
        await websocket.close(code=CLOSE_POLICY)  # before accept: the handshake gets a 403
        return
    hub: Hub = websocket.app.state.hub
    credential = websocket.scope["state"].get("credential")
    if credential is None:
        await _board_socket(websocket, server_send, hub, None)
        return
    # At most MAX_SOCKETS_PER_CREDENTIAL per session or token, every process together.
    sockets: SocketCount = websocket.app.state.socket_count
    ticket = await sockets.admit(credential)
    if ticket is None:
        await websocket.close(code=CLOSE_POLICY)  # before accept: the handshake gets a 403
        return
    try:
        await _board_socket(websocket, server_send, hub, credential)
    finally:
        await sockets.release(credential, ticket)


async def _board_socket(
    websocket: WebSocket, server_send: Send, hub: Hub, credential: tuple[str, str] | None
) -> None:
    try:
        # The board says who this is there (and refuses those who may not watch it).
        who = await hub.live.who_is_connecting(websocket, websocket.path_params["slug"])
    except DomainError:
        await websocket.close(code=CLOSE_POLICY)
        return
    after_text = websocket.query_params.get("after", "")
    after = int(after_text) if after_text.isdigit() and len(after_text) < 18 else None
    # The handshake's answer carries the same headers as every HTTP response (DESIGN.md §6).
    await websocket.accept(headers=security_headers(websocket.app.state.settings))

    async def close(code: int, reason: str) -> None:
        client.closing = True  # the hub sends it nothing more
        with contextlib.suppress(RuntimeError, WebSocketDisconnect):  # already closed
            await websocket.close(code=code, reason=reason)

    client = LiveClient(
        audience=Audience(who.audience, websocket.scope["state"]["locale"]),
        format="json" if websocket.query_params.get("format") == "json" else "html",
        name=who.name,
        user_id=who.user_id,
        send=server_send,
        close=close,
        credential=credential,
    )
    board_id = who.board_id
    socket_number = str(next(_socket_numbers))
    await hub.connect(client, board_id, after)
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            text = message.get("text")
            if text is None:
                text = (message.get("bytes") or b"").decode("utf-8", errors="replace")
            if not _messages.hit(MESSAGE_RATE, "socket", socket_number):
                await close(CLOSE_POLICY, "too many messages (10 in 10 seconds at most)")
                break
            if len(text) > MAX_MESSAGE:
                await close(CLOSE_TOO_BIG, "message too big (64 KiB at most)")
                break
            seq = _resume_seq(text)
            if seq is None:
                await close(CLOSE_POLICY, 'unknown message: only {"resume": SEQ} is understood')
                break
            await hub.resume(client, board_id, seq)
    except WebSocketDisconnect:
        pass
    finally:
        await hub.disconnect(client, board_id)
