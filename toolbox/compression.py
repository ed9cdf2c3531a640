"""gzip for pages, API documents and the other dynamic responses: Starlette's own middleware,
with the validators kept right.

Starlette's `GZipMiddleware` compresses a response once it passes `MINIMUM_SIZE`, for a client
whose `Accept-Encoding` names gzip, and adds `Vary: Accept-Encoding`; it leaves alone a response
that already has a `Content-Encoding`. It does not touch the `ETag`, which `toolbox.http_cache`
computed on the uncompressed body. A strong ETag promises the very bytes, and the compressed
bytes are another representation (and may differ between two hosts' zlib), so the compressed
response gets the weak form of the same tag, as nginx does: `W/"…"` says "the same content",
which is all `If-None-Match` asks (its comparison is weak), so a copy cached compressed or not
revalidates with either encoding, and no tag has to be translated back on the way in.

A room of two hundred phones opening the same board asks for the same bytes two hundred times:
the compressed body is kept by the hash of the uncompressed one (`CompressedBodies`), so that
the same page is compressed twice at most (fast for its first reader, well for the second and
all who follow), not once per reader. The key is the body's own hash, not its
ETag: a tag set upstream that wrongly named two bodies (two people's pages) would cost a 304
too many, never one person's page sent to another. Hashing costs a fifth of compressing, and is
skipped for a kept rendering, whose own code put in the scope the tag it computed from the same
bytes (`BODY_TAG`).

Static files are compressed once, at start-up (`toolbox.static_files`): they skip this layer.
"""

from __future__ import annotations

import zlib
from collections import OrderedDict

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.gzip import (
    DEFAULT_EXCLUDED_CONTENT_TYPES,
    GZipMiddleware,
    GZipResponder,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from toolbox.http_cache import BODY_TAG, NOT_MODIFIED_BODY, body_etag

#: Below this a gzip header and the trailer cost about what they save.
MINIMUM_SIZE = 500
# A body is first compressed fast (3: a fourth of 6's CPU, a fifth bigger): most bodies are
# sent once (a search as it is typed, one person's page). One asked for again is kept, and is
# worth the better compression: it is compressed anew at 6, zlib's default (within a few percent
# of 9 at half its CPU), once, and every later reader of it gets those bytes.
FIRST_LEVEL = 3
LEVEL = 6
#: The compressed bodies kept, at most: a few boards' pages in each audience and language.
KEPT_BYTES = 8 * 1024 * 1024


class CompressedBodies:
    """The gzipped bodies last sent, by the hash of the body, least recently used dropped first;
    each with the level it was compressed at."""

    def __init__(self, budget: int = KEPT_BYTES) -> None:
        self.budget = budget
        self.size = 0
        self.bodies: OrderedDict[str, tuple[bytes, int]] = OrderedDict()

    def get(self, key: str) -> tuple[bytes, int] | None:
        kept = self.bodies.get(key)
        if kept is not None:
            self.bodies.move_to_end(key)
        return kept

    def put(self, key: str, body: bytes, level: int = LEVEL) -> None:
        """Keep `body` (compressed at `level`), or replace the one kept under `key`."""
        if len(body) > self.budget // 4:
            return
        if (kept := self.bodies.pop(key, None)) is not None:
            self.size -= len(kept[0])
        self.bodies[key] = (body, level)
        self.size += len(body)
        while self.size > self.budget:
            _, (dropped, _level) = self.bodies.popitem(last=False)
            self.size -= len(dropped)


def gzipped(body: bytes, level: int) -> bytes:
    """`body` as one gzip stream, as Starlette's responder writes it."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return compressor.compress(body) + compressor.flush()


class _KeepingGZipResponder(GZipResponder):
    """Starlette's responder, asking the kept bodies first for a whole body that has an ETag
    (a page or a document, as opposed to a one-off answer not worth keeping)."""

    bodies: CompressedBodies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.scope = scope
        await super().__call__(scope, receive, send)

    async def apply_compression(self, body: bytes, *, more_body: bool) -> bytes:
        if more_body or "etag" not in Headers(raw=self.initial_message.get("headers", [])):
            return await super().apply_compression(body, more_body=more_body)
        key = self.scope.get(BODY_TAG) or body_etag(body)
        if (kept := self.bodies.get(key)) is not None:
            compressed, level = kept
            if level < LEVEL:  # asked for again: compressed well, once
                compressed = gzipped(body, LEVEL)
                self.bodies.put(key, compressed, LEVEL)
            return compressed
        compressed = await super().apply_compression(body, more_body=False)
        self.bodies.put(key, compressed, self.compresslevel)
        return compressed


class _KeepingGZipMiddleware(GZipMiddleware):
    def __init__(self, app: ASGIApp, bodies: CompressedBodies) -> None:
        super().__init__(app, minimum_size=MINIMUM_SIZE, compresslevel=FIRST_LEVEL)
        self.bodies = bodies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if "gzip" not in Headers(scope=scope).get("accept-encoding", ""):
            await super().__call__(scope, receive, send)  # Starlette's identity responder
            return
        responder = _KeepingGZipResponder(
            self.app,
            self.minimum_size,
            compresslevel=self.compresslevel,
            thread_minimum_size=self.thread_minimum_size,
            exclude_content_types=self.exclude_content_types,
        )
        responder.bodies = self.bodies
        await responder(scope, receive, send)


class CompressionMiddleware:
    def __init__(self, app: ASGIApp, *, skip_prefixes: tuple[str, ...] = ()) -> None:
        self.app = app
        self.skip_prefixes = skip_prefixes
        self.bodies = CompressedBodies()
        self.gzip = _KeepingGZipMiddleware(self._inner, self.bodies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.skip_prefixes):
            await self.app(scope, receive, send)
            return
        accepts_gzip = "gzip" in Headers(scope=scope).get("accept-encoding", "")  # as Starlette

        async def send_out(message: Message) -> None:
            if message["type"] == "http.response.start":
                _mark_variant(scope, message, accepts_gzip)
            await send(message)

        await self.gzip(scope, receive, send_out)

    async def _inner(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_in(message: Message) -> None:
            if message["type"] == "http.response.start":
                # An encoding the app chose itself is its business: its ETag stays as it is.
                scope["toolbox.encoded_by_app"] = "content-encoding" in Headers(scope=message)
            await send(message)

        await self.app(scope, receive, send_in)


def _mark_variant(scope: Scope, message: Message, accepts_gzip: bool) -> None:
    """Give the compressed response, and a 304 that stands for one, the weak ETag."""
    headers = MutableHeaders(scope=message)
    if message["status"] == 304 and "etag" in headers:
        # The 200 would have carried Vary: Accept-Encoding, and been compressed if asked. A 304
        # answered by a view itself (a kept rendering's) says nothing of its body: those are
        # pages and documents, all past MINIMUM_SIZE.
        media_type, length = scope.get(NOT_MODIFIED_BODY, ("", MINIMUM_SIZE))
        if length < MINIMUM_SIZE or _excluded(media_type):
            return
        headers.add_vary_header("Accept-Encoding")
        compressed = accepts_gzip
    else:
        compressed = headers.get("content-encoding") == "gzip" and not scope.get(
            "toolbox.encoded_by_app", False
        )
    etag = headers.get("etag")
    if compressed and etag and not etag.startswith("W/"):
        headers["etag"] = "W/" + etag


def _excluded(media_type: str) -> bool:
    kind = media_type.partition(";")[0].strip().lower()
    return kind in DEFAULT_EXCLUDED_CONTENT_TYPES or kind.split("/")[0] + "/*" in (
        DEFAULT_EXCLUDED_CONTENT_TYPES
    )
