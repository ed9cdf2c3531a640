"""Conditional GET for pages and API documents: an `ETag` on each, a `304` when it still holds.

Plain ASGI, generic: it knows no route. For a GET or HEAD answered `200` with HTML or JSON, it
keeps the `ETag` the view set (the board's rendering cache sets one precomputed from the seq)
or makes one from the body bytes, and answers `304 Not Modified` when `If-None-Match` matches
(RFC 9110 §13.1.2: a list of tags, `W/` tags compared weakly, `*`). A body hash changes
whenever what a reader sees changes, whatever made it change (the language, who is signed in,
an edit), so no view has to say what its page depends on.

Not touched: other methods and statuses, other media types (static files carry their own
validators, downloads go as they are), streamed bodies (which cannot be hashed before they are
sent), websockets.
"""

from __future__ import annotations

import hashlib
import re

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MEDIA_TYPES = frozenset({"text/html", "application/json"})
# `no-cache` lets a browser (or a proxy) keep the page but makes it ask each time: the answer is
# a 304 of a few hundred bytes while the board has not changed, and never a stale board. A
# response for someone signed in (or setting a cookie) is theirs alone: `private` keeps it out
# of shared caches, which might otherwise hand one person's page, names and forms to the next.
PUBLIC = "no-cache"
PRIVATE = "private, no-cache"
# The body depends on these request headers (the language; who is signed in, and the locale
# cookie); the compression layer adds Accept-Encoding.
VARY = ("Accept-Language", "Cookie")
#: What a 304 keeps of the 200's headers (RFC 9110 §15.4.5), plus cookies: a 304 updates the
#: stored response, and a session cookie dropped on the way would sign the reader out.
NOT_MODIFIED_HEADERS = frozenset(
    {b"etag", b"cache-control", b"vary", b"date", b"expires", b"content-location", b"set-cookie"}
)
#: Set in the scope on a 304 (the media type and length of the body it stands for): the
#: compression layer gives the 304 the ETag that the compressed 200 would have carried.
NOT_MODIFIED_BODY = "toolbox.not_modified_body"
#: Set in the scope by the app's own kept renderings (`toolbox.web`): the tag it computed from
#: the very bytes it sends. In the scope, not a header, so nothing from outside can set it; the
#: compression layer keys its kept bodies by it instead of hashing the body again.
BODY_TAG = "toolbox.body_tag"
_ENTITY_TAG = re.compile(r'(W/)?"([\x21\x23-\x7e\x80-\xff]*)"')


def body_etag(body: bytes) -> str:
    """A strong ETag from the body: BLAKE2b, 128 bits, in the standard library. It hashes about
    a gigabyte a second, a fraction of a millisecond for the largest board page, next to the
    render it validates; 128 bits make a collision between two versions of a page out of
    reach, which a 32- or 64-bit checksum (CRC, xxhash) would not promise as strongly."""
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def opaque_tag(etag: str) -> str:
    """The tag without its weakness: `W/"x"` and `"x"` compare equal in If-None-Match."""
    return etag[2:] if etag.startswith("W/") else etag


def none_match(header: str | None, etag: str) -> bool:
    """True when `If-None-Match` lists `etag` (weak comparison, RFC 9110 §13.1.2) or is `*`."""
    if not header:
        return False
    if header.strip() == "*":
        return True
    wanted = opaque_tag(etag)
    return any(f'"{tag}"' == wanted for _weak, tag in _ENTITY_TAG.findall(header))


def _is_signed_in(scope: Scope, request: Headers) -> bool:
    state = scope.get("state") or {}
    return state.get("user") is not None or "authorization" in request


class ConditionalGetMiddleware:
    """ETag, Cache-Control and Vary on pages and API documents; 304 when the ETag matches."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in {"GET", "HEAD"}:
            await self.app(scope, receive, send)
            return
        await _Exchange(scope, send).run(self.app, receive)


class _Exchange:
    """One request's response, held back until its validator is known."""

    def __init__(self, scope: Scope, send: Send) -> None:
        self.scope = scope
        self.send = send
        self.request = Headers(scope=scope)
        self.start: Message | None = None  # a 200 held back until its ETag is known
        self.not_modified = False  # a 304 was sent: the body, if any comes, is dropped

    async def run(self, app: ASGIApp, receive: Receive) -> None:
        await app(self.scope, receive, self.on_message)

    async def on_message(self, message: Message) -> None:
        if self.not_modified:
            return
        if message["type"] == "http.response.start":
            await self.on_start(message)
        elif message["type"] == "http.response.body" and self.start is not None:
            await self.on_first_body(message)
        else:
            await self.send(message)

    async def on_start(self, message: Message) -> None:
        headers = MutableHeaders(scope=message)
        if not self._validates(message["status"], headers):
            await self.send(message)
            return
        self._cache_headers(headers)
        if "etag" in headers:
            # Known before the body (a rendering cache's): decide at once; on a 304 the body that
            # follows is dropped unread.
            await self._answer(message, headers, None)
        else:
            self.start = message

    async def on_first_body(self, message: Message) -> None:
        start, self.start = self.start, None
        assert start is not None
        headers = MutableHeaders(scope=start)
        if message.get("more_body", False):
            # A streamed body cannot be hashed before it goes: it goes without a validator.
            await self.send(start)
        else:
            headers["etag"] = body_etag(message.get("body", b""))
            if await self._answer(start, headers, message.get("body", b"")):
                return
        await self.send(message)

    async def _answer(self, start: Message, headers: MutableHeaders, body: bytes | None) -> bool:
        """Send a 304 if the client's copy is current (True), else the held-back start."""
        if none_match(self.request.get("if-none-match"), headers["etag"]):
            self.not_modified = True
            declared = headers.get("content-length", "")
            length = len(body) if body is not None else int(declared) if declared.isdigit() else 0
            self.scope[NOT_MODIFIED_BODY] = (headers.get("content-type", ""), length)
            kept = [(k, v) for k, v in start["headers"] if k.lower() in NOT_MODIFIED_HEADERS]
            await self.send({"type": "http.response.start", "status": 304, "headers": kept})
            await self.send({"type": "http.response.body", "body": b""})
            return True
        await self.send(start)
        return False

    def _validates(self, status: int, headers: MutableHeaders) -> bool:
        media_type = headers.get("content-type", "").partition(";")[0].strip().lower()
        attachment = headers.get("content-disposition", "").lower().startswith("attachment")
        return status == 200 and media_type in MEDIA_TYPES and not attachment

    def _cache_headers(self, headers: MutableHeaders) -> None:
        if "cache-control" not in headers:
            private = _is_signed_in(self.scope, self.request) or "set-cookie" in headers
            headers["cache-control"] = PRIVATE if private else PUBLIC
        present = {v.strip().lower() for v in headers.get("vary", "").split(",")}
        for name in VARY:
            if name.lower() not in present:
                headers.add_vary_header(name)
