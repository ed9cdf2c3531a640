"""The read-path bench's baseline (bench/pages.py): Starlette answering a fixed small page,
served by the same uvicorn with the same options as the app. What is left of the app's req/s
once it is divided by this one is the app's own work, not the server's or the machine's."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

PAGE = (
    "<!doctype html><html lang=fr><meta charset=utf-8><title>Tableau</title>"
    "<h1>Accélérateur numérique culturel</h1><p>Une carte, rien de plus.</p></html>"
)


async def page(request: Request) -> HTMLResponse:
    return HTMLResponse(PAGE)


# Every path answers (the harness's readiness probe asks for /api/v1/boards).
app = Starlette(routes=[Route("/{path:path}", page)])
