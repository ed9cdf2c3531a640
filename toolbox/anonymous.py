"""Whole answers to people who are not signed in, kept while the board they show is unchanged.

The room's case (DESIGN.md §4b): a QR code on the projector, two hundred phones, nobody signed
in, the same board. The view already serves them a rendering kept for the board's seq
(`toolbox.board.shared.kept_rendering`); what is left per request is the way in and out: the
middleware stack, the router, the account menu, the compression layer. So the complete answer
(status, headers, compressed body) to a request that carries no credential is kept too, and the
next such request with the same address and the same headers that the answer varies on gets it
back from here, before the middleware and the router, as long as the board's seq it was made at
is still the latest this process knows (`toolbox.board_clock`, fed by the bus). A `304` is
answered the same way.

What makes it safe to share:
- only a request with no session cookie and no `Authorization` header is answered or kept:
  nothing in its answer can belong to a person;
- only an answer that the app marked as a board's kept rendering (`KEPT_AT`, set by
  `kept_rendering` once it has checked the right to read), a `200` that sets no cookie;
- the key holds the method, the path and query, and the raw value of every request header an
  answer may vary on (`KEYED`); an answer whose `Vary` names any other header is not kept;
- the answer is the one the whole stack made, security headers included: nothing is rebuilt.
"""

from __future__ import annotations

import contextlib
from collections.abc import Hashable
from dataclasses import dataclass

from cachetools import LRUCache
from starlette.types import Message, Scope, Send

from toolbox.board_clock import BoardClock
from toolbox.http_cache import NOT_MODIFIED_HEADERS, none_match
from toolbox.middleware import SECURITY_HEADERS, SESSION_COOKIE
from toolbox.renderings import KEPT_AT

#: Request headers whose raw values are part of the key: every header a kept answer may vary
#: on (the compression, the language, the locale cookie, htmx's partial requests).
KEYED = (b"accept-encoding", b"accept-language", b"cookie", b"hx-request", b"hx-target")
#: What a kept answer's `Vary` may name: the keyed headers, and `Authorization`, which a request
#: that may share answers never carries.
_VARY_ALLOWED = frozenset(name.decode() for name in KEYED) | {"authorization"}
#: Memory for whole answers, per process: mostly compressed pages (a 600-card board ≈ 20 KB).
DEFAULT_MAX_BYTES = 32 * 1024 * 1024
_SESSION = SESSION_COOKIE.encode() + b"="
_KEPT_IN_304 = NOT_MODIFIED_HEADERS | {name for name, _ in SECURITY_HEADERS}


@dataclass(frozen=True, slots=True)
class KeptAnswer:
    board_id: int
    seq: int
    headers: list[tuple[bytes, bytes]]
    not_modified_headers: list[tuple[bytes, bytes]]
    etag: str
    body: bytes


def _size(answer: KeptAnswer) -> int:
    return len(answer.body) + 64 * len(answer.headers) + 200


class AnonymousAnswers:
    def __init__(self, clock: BoardClock, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.clock = clock
        self._kept: LRUCache[Hashable, KeptAnswer] = LRUCache(maxsize=max_bytes, getsizeof=_size)

    def key(self, scope: Scope) -> tuple[Hashable, bytes | None] | None:
        """The request's key and its `If-None-Match`, or None if it may not share answers."""
        if scope["method"] != "GET":
            return None
        values: dict[bytes, bytes] = {}
        if_none_match = None
        for name, value in scope["headers"]:
            if name in KEYED:
                if name in values:  # a header sent twice: too odd to share an answer with
                    return None
                values[name] = value
            elif name == b"authorization":
                return None
            elif name == b"if-none-match":
                if_none_match = value
        if _SESSION in values.get(b"cookie", b""):
            return None
        key = (scope["path"], scope["query_string"], *(values.get(name) for name in KEYED))
        return key, if_none_match

    async def answer(self, key: Hashable, if_none_match: bytes | None, send: Send) -> bool:
        """Send the kept answer for `key` if it is still current; False if there is none."""
        kept = self._kept.get(key)
        if kept is None:
            return False
        latest = self.clock.latest(kept.board_id)
        if latest != kept.seq:
            # Not believed any more (the clock asks the database again now and then), or the
            # board has moved on: the usual way answers, and keeps its answer if it may.
            if latest is not None:
                self._kept.pop(key, None)
            return False
        if if_none_match is not None and none_match(if_none_match.decode("latin-1"), kept.etag):
            await send(
                {"type": "http.response.start", "status": 304, "headers": kept.not_modified_headers}
            )
            await send({"type": "http.response.body", "body": b""})
        else:
            await send({"type": "http.response.start", "status": 200, "headers": kept.headers})
            await send({"type": "http.response.body", "body": kept.body})
        return True

    def recording(self, key: Hashable, scope: Scope, send: Send) -> Send:
        """`send`, keeping the answer under `key` if it may be shared (see the module)."""
        start: Message | None = None

        async def send_and_keep(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message if self._shareable(scope, message) else None
            elif message["type"] == "http.response.body" and start is not None:
                if not message.get("more_body", False):
                    self._keep(key, scope, start, message.get("body", b""))
                start = None
            await send(message)

        return send_and_keep

    def _shareable(self, scope: Scope, start: Message) -> bool:
        if start["status"] != 200 or KEPT_AT not in scope:
            return False
        for name, value in start.get("headers", []):
            lowered = name.lower()
            if lowered == b"set-cookie":
                return False
            if lowered == b"vary":
                varies = {v.strip().lower() for v in value.decode("latin-1").split(",")}
                if not varies <= _VARY_ALLOWED:
                    return False
            if lowered == b"cache-control" and b"private" in value.lower():
                return False
        return True

    def _keep(self, key: Hashable, scope: Scope, start: Message, body: bytes) -> None:
        board_id, seq = scope[KEPT_AT]
        headers = list(start.get("headers", []))
        etag = next((v.decode("latin-1") for n, v in headers if n.lower() == b"etag"), None)
        if etag is None:
            return
        not_modified = [(n, v) for n, v in headers if n.lower() in _KEPT_IN_304]
        answer = KeptAnswer(board_id, seq, headers, not_modified, etag, body)
        with contextlib.suppress(ValueError):  # larger than the whole budget: served, not kept
            self._kept[key] = answer

    def __len__(self) -> int:
        return len(self._kept)
