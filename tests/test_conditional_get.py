"""The conditional GET layer on its own, with the app's compression and security layers around
it: what it does with an ETag set upstream (the board's rendering cache), streamed bodies,
cookies, and responses it must leave alone."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from toolbox.compression import CompressionMiddleware
from toolbox.http_cache import ConditionalGetMiddleware, body_etag
from toolbox.middleware import SecurityHeadersMiddleware
from toolbox.settings import Settings

PAGE = "<p>" + "Stratégie numérique " * 60 + "</p>"


async def cached(request: Request) -> Response:
    return HTMLResponse(PAGE, headers={"ETag": '"seq-42-fr"'})


async def cookie(request: Request) -> Response:
    response = JSONResponse({"ok": True})
    response.set_cookie("toolbox_session", "fresh")
    return response


async def streamed(request: Request) -> Response:
    async def chunks() -> AsyncIterator[bytes]:
        yield b"<p>one</p>"
        yield b"<p>two</p>"

    return StreamingResponse(chunks(), media_type="text/html")


async def download(request: Request) -> Response:
    return JSONResponse([1, 2], headers={"Content-Disposition": 'attachment; filename="a.json"'})


async def stored(request: Request) -> Response:
    return HTMLResponse("<p>mine</p>", headers={"Cache-Control": "private, no-store"})


app = Starlette(
    routes=[
        Route("/cached", cached),
        Route("/cookie", cookie),
        Route("/streamed", streamed),
        Route("/download", download),
        Route("/stored", stored),
    ],
    middleware=[
        Middleware(SecurityHeadersMiddleware, settings=Settings()),
        Middleware(CompressionMiddleware),
        Middleware(ConditionalGetMiddleware),
    ],
)


def client() -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def test_an_etag_set_upstream_is_kept_weakened_when_compressed_and_answered() -> None:
    async with client() as http:
        plain = await http.get("/cached", headers={"Accept-Encoding": "identity"})
        assert plain.headers["etag"] == '"seq-42-fr"'
        assert plain.headers["cache-control"] == "no-cache"
        packed = await http.get("/cached", headers={"Accept-Encoding": "gzip"})
        assert packed.headers["content-encoding"] == "gzip"
        assert packed.headers["etag"] == 'W/"seq-42-fr"' and packed.text == PAGE
        for tag in ('"seq-42-fr"', 'W/"seq-42-fr"'):
            again = await http.get("/cached", headers={"If-None-Match": tag})
            assert again.status_code == 304 and again.content == b""
            assert "default-src 'self'" in again.headers["content-security-policy"]
            assert again.headers["x-frame-options"] == "DENY"


async def test_a_304_keeps_the_cookie_the_200_would_have_set() -> None:
    async with client() as http:
        first = await http.get("/cookie")
        assert first.headers["cache-control"] == "private, no-cache"
        again = await http.get("/cookie", headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304
        assert "toolbox_session=fresh" in again.headers["set-cookie"]
        assert again.headers["cache-control"] == "private, no-cache"


async def test_streamed_bodies_downloads_and_other_methods_are_left_alone() -> None:
    async with client() as http:
        streamed = await http.get("/streamed")
        assert streamed.text == "<p>one</p><p>two</p>" and "etag" not in streamed.headers
        download = await http.get("/download")
        assert download.json() == [1, 2] and "etag" not in download.headers
        assert "cache-control" not in download.headers
        posted = await http.post("/cached")
        assert posted.status_code == 405 and "etag" not in posted.headers


async def test_a_cache_control_chosen_by_the_view_is_kept() -> None:
    async with client() as http:
        response = await http.get("/stored")
        assert response.headers["cache-control"] == "private, no-store"
        assert response.headers["etag"] == body_etag(b"<p>mine</p>")
