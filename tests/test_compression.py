"""gzip on the real server: asked for, it comes; not asked for, it does not; either way the same
bytes once decoded, and a copy cached with either encoding revalidates to a 304."""

from __future__ import annotations

import gzip

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipResponder
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from tests.factories import make_board, make_card, make_column, make_user
from toolbox import compression
from toolbox.compression import FIRST_LEVEL, LEVEL, CompressedBodies, CompressionMiddleware
from toolbox.db import Database
from toolbox.http_cache import ConditionalGetMiddleware


async def a_board_page(db: Database) -> str:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    column = await make_column(db, board, facilitator, "Numérique responsable")
    for number in range(5):
        await make_card(db, board, column, facilitator, title=f"Écoconception {number}")
    return f"/b/{board.slug}"


async def raw(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> httpx.Response:
    """The response as it came on the wire (httpx would otherwise decode it)."""
    request = client.build_request("GET", path, headers=headers)
    response = await client.send(request, stream=True)
    response._content = b"".join([chunk async for chunk in response.aiter_raw()])
    await response.aclose()
    return response


async def test_html_and_json_are_gzipped_when_asked_and_plain_otherwise(
    db: Database, client: httpx.AsyncClient
) -> None:
    page = await a_board_page(db)
    slug = page.rsplit("/", 1)[1]
    for path in (page, f"/api/v1/boards/{slug}"):
        plain = await raw(client, path, {"Accept-Encoding": "identity"})
        packed = await raw(client, path, {"Accept-Encoding": "gzip, deflate"})
        assert "content-encoding" not in plain.headers, path
        assert packed.headers["content-encoding"] == "gzip", path
        assert len(packed.content) < len(plain.content), path
        assert gzip.decompress(packed.content) == plain.content, path
        assert int(packed.headers["content-length"]) == len(packed.content), path
        assert "accept-encoding" in packed.headers["vary"].lower(), path
        # One content, two representations: the compressed one has the weak form of the tag.
        assert plain.headers["etag"].startswith('"'), path
        assert packed.headers["etag"] == "W/" + plain.headers["etag"], path


async def test_a_304_works_with_and_without_accept_encoding(
    db: Database, client: httpx.AsyncClient
) -> None:
    page = await a_board_page(db)
    plain = await raw(client, page, {"Accept-Encoding": "identity"})
    packed = await raw(client, page, {"Accept-Encoding": "gzip"})
    for encoding in ("identity", "gzip"):
        for etag in (plain.headers["etag"], packed.headers["etag"]):
            again = await raw(client, page, {"Accept-Encoding": encoding, "If-None-Match": etag})
            assert again.status_code == 304, (encoding, etag)
            assert again.content == b"" and "content-encoding" not in again.headers
            # The 304 carries the tag that the 200 would have carried for this request.
            expected = packed if encoding == "gzip" else plain
            assert again.headers["etag"] == expected.headers["etag"], (encoding, etag)
            assert "accept-encoding" in again.headers["vary"].lower()


async def test_small_responses_are_not_compressed(client: httpx.AsyncClient) -> None:
    response = await raw(client, "/api/v1/cards/999999", {"Accept-Encoding": "gzip"})
    assert response.status_code == 404 and "content-encoding" not in response.headers
    assert response.json()["error"]["code"] == "not_found"


def test_kept_bodies_drop_the_least_recently_used_past_their_budget() -> None:
    kept = CompressedBodies(budget=100)
    kept.put("a", b"x" * 20)
    kept.put("b", b"y" * 20)
    kept.put("huge", b"z" * 30)  # over a quarter of the budget: never kept
    assert kept.get("huge") is None
    assert kept.get("a") == (b"x" * 20, LEVEL)  # now the most recently used
    for name in "cdef":
        kept.put(name, b"w" * 20)
    assert kept.size <= 100
    assert kept.get("b") is None and kept.get("a") is not None
    kept.put("a", b"v" * 10, FIRST_LEVEL)  # replaced, and counted once
    assert kept.get("a") == (b"v" * 10, FIRST_LEVEL)
    assert kept.size == sum(len(body) for body, _level in kept.bodies.values())


async def test_the_same_page_is_compressed_twice_at_most_and_two_pages_sharing_a_tag_each_their_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Compressed fast for the first reader, then well for a room, and then no more; and an
    upstream tag naming two bodies (a bug there) never sends one reader's bytes to another."""
    compressions: list[int] = []
    original = GZipResponder._compress_body
    original_gzipped = compression.gzipped

    def counted(self: GZipResponder, body: bytes, more_body: bool) -> bytes:
        compressions.append(self.compresslevel)
        return original(self, body, more_body)

    def counted_again(body: bytes, level: int) -> bytes:
        compressions.append(level)
        return original_gzipped(body, level)

    monkeypatch.setattr(GZipResponder, "_compress_body", counted)
    monkeypatch.setattr(compression, "gzipped", counted_again)

    async def page(request: Request) -> Response:
        who = request.query_params.get("who", "Alice")
        return HTMLResponse(f"<p>{who}</p>" + "<li>Guide</li>" * 100, headers={"ETag": '"same"'})

    app = Starlette(
        routes=[Route("/", page)],
        middleware=[Middleware(CompressionMiddleware), Middleware(ConditionalGetMiddleware)],
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        sizes = []
        for _ in range(5):
            response = await raw(http, "/", {"Accept-Encoding": "gzip"})
            assert response.headers["content-encoding"] == "gzip"
            assert gzip.decompress(response.content).decode().startswith("<p>Alice</p>")
            sizes.append(len(response.content))
        assert compressions == [FIRST_LEVEL, LEVEL]
        # The first reader's bytes at the fast level, every later reader's the smaller ones.
        assert sizes[0] > sizes[1] and len(set(sizes[1:])) == 1
        other = await http.get("/?who=Bob", headers={"Accept-Encoding": "gzip"})
        assert other.text.startswith("<p>Bob</p>") and compressions == [
            FIRST_LEVEL,
            LEVEL,
            FIRST_LEVEL,
        ]
