"""The static files: read, named by their content and compressed once, at start-up.

Each file under `static/` (the vendor files copied by `make assets` too) is served under two
names: `app.css`, revalidated on each use (`no-cache`, with an ETag), for old links and for
anything that builds the name by hand; and `app.<hash>.css`, which the templates get from
`url_for('static', path='app.css')` (`StaticRoute.url_path_for`) and which a browser keeps a
year without asking (`immutable`): a changed file gets a new name, so a page never meets a
stale copy. Files are read into memory and compressed once here (brotli and gzip), not per
request; a client gets the precompressed bytes it accepts, brotli first. A change to a file is
served after a restart.

Why not a library: WhiteNoise's ASGI fork (`servestatic`) serves precompressed files well, but
hashed names come from Django's manifest storage or a build step writing copies to disk, which
the app and the templates must then agree with. The files are a handful of small ones (well
under 1 MB), so holding them in memory, hashed from the very bytes served, is about a hundred
lines with nothing to go stale, and no disk or thread per request.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import brotli
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from toolbox.http_cache import none_match

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
#: Hex digits of the content hash in a file's name: 48 bits, so an edited file keeps its old
#: name (and a browser its stale copy) with odds of one in 2**48.
HASH_LENGTH = 12
_HASH = re.compile(rf"\.[0-9a-f]{{{HASH_LENGTH}}}(?=\.[^./]+$)|\.[0-9a-f]{{{HASH_LENGTH}}}$")
COMPRESSIBLE = frozenset({".css", ".js", ".svg", ".json", ".map", ".txt", ".html", ".xml"})
TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
#: Brotli at its best (quality 11) takes about a millisecond per kilobyte: a few tens of
#: milliseconds at start-up for the pages' files; larger ones (axe-core, loaded by the tests
#: only) are gzipped only rather than delay every start by a second.
BROTLI_MAX_BYTES = 256 * 1024
#: Files served as one, joined in this order: every page runs htmx, its websocket extension and
#: board.js, so a first visit asks for one script rather than two (issue 16, page weight). Named
#: by the hash of the joined bytes like any file: a change to one part renames the whole.
BUNDLES = {"app.js": ("vendor/htmx.min.js", "vendor/ws.min.js", "board.js")}
#: The encodings kept, in the order they are preferred, with their ETag suffixes.
SUFFIXES = {"br": ".br", "gzip": ".gz"}


def content_hash(content: bytes) -> str:
    return hashlib.blake2b(content, digest_size=HASH_LENGTH // 2).hexdigest()


def hashed_name(name: str, content: bytes) -> str:
    """`vendor/htmx.min.js` → `vendor/htmx.min.<hash>.js`: the hash before the last suffix, so
    the type a server or a browser reads from the name stays the same."""
    folder, slash, base = name.rpartition("/")
    stem, dot, suffix = base.rpartition(".")
    digest = content_hash(content)
    renamed = f"{stem}.{digest}.{suffix}" if dot and stem else f"{base}.{digest}"
    return f"{folder}{slash}{renamed}"


@dataclass(frozen=True)
class Asset:
    name: str
    hashed: str
    media_type: str
    body: bytes
    #: The compressed forms ("br", "gzip") that are smaller than the file, best first.
    encoded: dict[str, bytes]
    etag: str

    @classmethod
    def read(cls, name: str, path: Path) -> Asset:
        return cls.of(name, path.read_bytes())

    @classmethod
    def of(cls, name: str, body: bytes) -> Asset:
        suffix = Path(name).suffix.lower()
        media_type = TYPES.get(suffix) or mimetypes.guess_type(name)[0]
        encoded: dict[str, bytes] = {}
        if suffix in COMPRESSIBLE:
            if len(body) <= BROTLI_MAX_BYTES:
                encoded["br"] = brotli.compress(body, quality=11)
            # mtime=0: the same file gives the same bytes on every host, under the same ETag.
            encoded["gzip"] = gzip.compress(body, compresslevel=9, mtime=0)
            # Not worth a Content-Encoding (and a Vary) for a tenth or less.
            encoded = {k: v for k, v in encoded.items() if len(v) < len(body) * 0.9}
        media_type = media_type or "application/octet-stream"
        etag = f'"{content_hash(body)}"'
        return cls(name, hashed_name(name, body), media_type, body, encoded, etag)


class StaticFiles:
    """An ASGI app serving the files of one folder by name or by hashed name."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.by_name: dict[str, Asset] = {}
        self.by_hashed: dict[str, Asset] = {}
        for path in sorted(directory.rglob("*")):
            relative = path.relative_to(directory)
            if path.is_file() and not any(part.startswith(".") for part in relative.parts):
                asset = Asset.read(relative.as_posix(), path)
                self.by_name[asset.name] = asset
                self.by_hashed[asset.hashed] = asset
        for name, parts in BUNDLES.items():
            if all(part in self.by_name for part in parts):
                # ";" between the parts: a file that ends without one cannot run into the next.
                body = b"\n;\n".join(self.by_name[part].body for part in parts)
                asset = Asset.of(name, body)
                self.by_name[asset.name] = asset
                self.by_hashed[asset.hashed] = asset

    def url_name(self, name: str) -> str:
        """The hashed name of `name`; a name that is no file stays as it is (and is a 404)."""
        asset = self.by_name.get(name)
        return asset.hashed if asset else name

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        name = scope["path_params"]["path"]
        if asset := self.by_hashed.get(name):
            await self.serve(asset, IMMUTABLE, scope, send)
        elif asset := self.by_name.get(name) or self.by_name.get(_HASH.sub("", name)):
            # The plain name; or a hash this process does not have (during a rolling upgrade a
            # page from a process with newer files): today's file, revalidated, not a 404.
            await self.serve(asset, REVALIDATE, scope, send)
        else:
            raise HTTPException(404)

    async def serve(self, asset: Asset, cache_control: str, scope: Scope, send: Send) -> None:
        if scope["method"] not in {"GET", "HEAD"}:
            raise HTTPException(405, headers={"Allow": "GET, HEAD"})
        request = Headers(scope=scope)
        body, etag = asset.body, asset.etag
        headers = [
            (b"content-type", asset.media_type.encode()),
            (b"cache-control", cache_control.encode()),
        ]
        if asset.encoded:
            headers.append((b"vary", b"Accept-Encoding"))
            accepted = request.get("accept-encoding", "")
            coding = next((c for c in asset.encoded if accepts(accepted, c)), None)
            if coding is not None:
                body, etag = asset.encoded[coding], etag[:-1] + SUFFIXES[coding] + '"'
                headers.append((b"content-encoding", coding.encode()))
        headers.append((b"etag", etag.encode()))
        if none_match(request.get("if-none-match"), etag):
            kept = [h for h in headers if h[0] in {b"cache-control", b"vary", b"etag"}]
            await send({"type": "http.response.start", "status": 304, "headers": kept})
            await send({"type": "http.response.body", "body": b""})
            return
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        head = scope["method"] == "HEAD"
        await send({"type": "http.response.body", "body": b"" if head else body})


def accepts(header: str, coding: str) -> bool:
    """Whether `Accept-Encoding` allows `coding`: named (or `*`) without `q=0`."""
    allowed: dict[str, bool] = {}
    for item in header.lower().split(","):
        named, _, params = item.strip().partition(";")
        q = params.strip().removeprefix("q=").strip() if "q=" in params else "1"
        try:
            allowed[named.strip()] = float(q) > 0
        except ValueError:
            allowed[named.strip()] = False
    if coding == "gzip" and "gzip" not in allowed:
        coding = "x-gzip"
    return allowed.get(coding, allowed.get("*", False))


class StaticRoute(Route):
    """`/static/{path}`, named "static": building its URL gives the file's hashed name, with or
    without a request (`toolbox.urls.url_path`, `request.url_for`)."""

    def __init__(self, path: str, files: StaticFiles, *, name: str) -> None:
        super().__init__(path, files, name=name)
        self.files = files

    def url_path_for(self, name: str, /, **path_params: Any) -> Any:
        if name == self.name and isinstance(path_params.get("path"), str):
            path_params["path"] = self.files.url_name(path_params["path"])
        return super().url_path_for(name, **path_params)


class Favicon:
    """`/favicon.ico`, which browsers ask for whatever the page links: the SVG icon itself
    (revalidated), rather than a 404 in every log."""

    def __init__(self, files: StaticFiles, name: str = "favicon.svg") -> None:
        self.files = files
        self.name = name

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (icon := self.files.by_name.get(self.name)) is None:
            raise HTTPException(404)
        await self.files.serve(icon, REVALIDATE, scope, send)
