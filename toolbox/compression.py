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

Static files are compressed once, at start-up (`toolbox.static_files`): they skip this layer.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from toolbox.http_cache import NOT_MODIFIED_BODY

#: Below this a gzip header and the trailer cost about what they save.
MINIMUM_SIZE = 500
# 6, zlib's default, compresses HTML within a few percent of 9 at about half the CPU time: the
# page is rendered and compressed per request until the rendering cache keeps it.
LEVEL = 6


class CompressionMiddleware:
    def __init__(self, app: ASGIApp, *, skip_prefixes: tuple[str, ...] = ()) -> None:
        self.app = app
        self.skip_prefixes = skip_prefixes
        self.gzip = GZipMiddleware(self._inner, minimum_size=MINIMUM_SIZE, compresslevel=LEVEL)

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
    if message["status"] == 304 and NOT_MODIFIED_BODY in scope:
        media_type, length = scope[NOT_MODIFIED_BODY]
        if length < MINIMUM_SIZE or _excluded(media_type):
            return
        # The 200 would have carried Vary: Accept-Encoding, and been compressed if asked.
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
