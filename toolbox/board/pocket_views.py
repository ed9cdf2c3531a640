"""`/b/{slug}/pocket.epub` and `/b/{slug}/print`: the pocket toolbox, to read offline or on paper.

Kept per change like the board's pages, for each audience, language and selection; one's
favourites (`?favourites=1`) are one person's, so they are made for each request instead."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from toolbox.board.access import BoardAccess, board_access
from toolbox.board.feed import board_tag
from toolbox.board.pocket import MEDIA_TYPE, pocket_contents, pocket_epub, pocket_title
from toolbox.board.search import SearchFilters
from toolbox.board.shared import kept_rendering
from toolbox.renderings import Document, SharedPage
from toolbox.templating import render, render_shared
from toolbox.web import (
    current_user,
    database,
    document_response,
    settings,
    shared_page_response,
)

T = TypeVar("T", SharedPage, Document)


async def _made(
    request: Request, what: str, make: Callable[[AsyncSession, BoardAccess], Awaitable[T]]
) -> tuple[T, bool]:
    """The rendering: kept for the audience, or made for this person alone (favourites)."""
    filters = SearchFilters.from_query(request.query_params)
    if request.query_params.get("favourites") == "1":
        async with database(request).read() as session:
            access = await board_access(session, request.path_params["slug"], current_user(request))
            return await make(session, access), True
    kept = await kept_rendering(
        request,
        (what, filters),
        make,
    )
    return kept, False


async def pocket_book(request: Request) -> Response:
    config = settings(request)
    filters = SearchFilters.from_query(request.query_params)
    favourites = request.query_params.get("favourites") == "1"

    async def make(session: AsyncSession, access: BoardAccess) -> Document:
        sections = await pocket_contents(session, access, filters, favourites=favourites)
        selection = hashlib.blake2b(request.url.query.encode(), digest_size=8).hexdigest()
        body = pocket_epub(
            access.board,
            sections,
            title=pocket_title(access.board, sections, favourites),
            base_url=config.base_url,
            identifier=board_tag(config.base_url, access.board, f"pocket-{selection}"),
        )
        return Document.of(body)

    document, personal = await _made(request, "pocket", make)
    slug = request.path_params["slug"]
    headers = {"Content-Disposition": f'attachment; filename="{slug}.epub"'}
    if personal:
        return Response(document.body, media_type=MEDIA_TYPE, headers=headers)
    response = document_response(request, document)
    response.headers["Content-Type"] = MEDIA_TYPE
    response.headers.update(headers)
    return response


async def print_page(request: Request) -> Response:
    filters = SearchFilters.from_query(request.query_params)
    favourites = request.query_params.get("favourites") == "1"

    async def context_of(session: AsyncSession, access: BoardAccess) -> dict[str, object]:
        sections = await pocket_contents(session, access, filters, favourites=favourites)
        title = pocket_title(access.board, sections, favourites)
        return {"access": access, "board": access.board, "sections": sections, "title": title}

    if favourites:
        async with database(request).read() as session:
            access = await board_access(session, request.path_params["slug"], current_user(request))
            context = await context_of(session, access)
        page: HTMLResponse = render(request, "board/print.html", context)
        return page

    async def make(session: AsyncSession, access: BoardAccess) -> SharedPage:
        return render_shared("board/print.html", await context_of(session, access))

    kept, _personal = await _made(request, "print", make)
    return shared_page_response(request, kept)
