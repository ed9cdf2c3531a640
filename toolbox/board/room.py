"""`/b/{slug}/room`: the board for the room's projector. Large type, high contrast, live, one
column at a time in rotation (the keyboard moves and pauses it, `static/room.js`), and a QR code
of the board's address from `TOOLBOX_BASE_URL`, so that a phone opens the board.

A shared rendering like the board page: the same columns partial, so live updates fit it."""

from __future__ import annotations

import segno
from markupsafe import Markup
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from toolbox.board import services
from toolbox.board.access import BoardAccess
from toolbox.board.shared import kept_rendering
from toolbox.board.tiles import card_tiles
from toolbox.renderings import SharedPage
from toolbox.templating import render_shared
from toolbox.urls import absolute_url
from toolbox.web import settings, shared_page_response

#: Seconds each column stays on screen while the rotation runs.
ROTATION_SECONDS = 20


def qr_code(url: str) -> Markup:
    """`url` as a QR code in SVG, drawn in the page (no image request, nothing for the CSP)."""
    svg = segno.make(url, error="m").svg_inline(
        scale=1, omitsize=True, dark="#000", light="#fff", svgclass="qr-code", lineclass=None
    )
    return Markup(svg)  # noqa: S704 - segno's own SVG of a URL it encodes as a picture


async def room_page(request: Request) -> Response:
    base_url = settings(request).base_url

    async def render(session: AsyncSession, access: BoardAccess) -> SharedPage:
        board = access.board
        board_url = absolute_url(base_url, "board", slug=board.slug)
        return render_shared(
            "board/room.html",
            {
                "presence": None,
                "access": access,
                "board": board,
                "columns": await services.board_columns(session, board),
                "cards": await card_tiles(session, board),
                "board_url": board_url,
                "qr": qr_code(board_url),
                "interval": ROTATION_SECONDS,
            },
        )

    page = await kept_rendering(
        request,
        "room_page",
        render,
    )
    return shared_page_response(request, page)
