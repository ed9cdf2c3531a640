"""The board's pages: the board, a card's permalink, and the facilitators' forms.

Forms post here and get a 303 after a change, or a 422 with the form shown again and a sentence
saying what to fix. Every page reads without JavaScript; htmx only makes it smoother.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from toolbox.board import cards as card_services
from toolbox.board import discovery, services
from toolbox.board.access import BoardAccess, board_access
from toolbox.board.jinja import column_html
from toolbox.board.models import Card, Kind
from toolbox.board.schemas import (
    BoardIn,
    CardIn,
    CardPatch,
    ColumnIn,
    ColumnPatch,
    MoveCard,
    MoveColumn,
)
from toolbox.board.search import SearchFilters, search_cards
from toolbox.board.shared import kept_rendering
from toolbox.board.suggestions import pending_count
from toolbox.board.tiles import board_tiles, card_tiles, facets, ordered
from toolbox.errors import Conflict, DomainError, Invalid, NotFound, NotSignedIn
from toolbox.i18n import current_locale, gettext
from toolbox.renderings import Document, SharedPage
from toolbox.templating import render, render_fragment, render_shared
from toolbox.urls import url_path
from toolbox.validation import parse_form
from toolbox.web import (
    current_user,
    database,
    form_fields,
    int_param,
    see_other,
    settings,
    shared_page_response,
)


def _board_url(slug: str, anchor: str = "") -> str:
    return url_path("board", slug=slug) + (f"#{anchor}" if anchor else "")


def _archived_url(slug: str, which: str) -> str:
    """The manage page, which offers what was just archived back (undo) at its top."""
    return url_path("manage", slug=slug) + f"?archived={which}"


async def board_page(request: Request) -> Response:
    """The board, rendered once per change for each audience, language and filter set
    (toolbox.renderings); only the account menu is rendered per request."""
    filters = SearchFilters.from_query(request.query_params)
    if filters.active and request.headers.get("HX-Target") == RESULTS_REGION:
        return await _search_results(request, filters)

    async def render(session: AsyncSession, access: BoardAccess) -> SharedPage:
        return await _render_board_page(session, access, filters)

    page = await kept_rendering(
        request,
        ("board_page", filters),
        render,
    )
    return shared_page_response(request, page)


async def _render_board_page(
    session: AsyncSession, access: BoardAccess, filters: SearchFilters
) -> SharedPage:
    columns, cards = await board_tiles(session, access.board)
    grouped = ordered(cards, filters.sort)
    results = await search_cards(session, access, filters) if filters.active else None
    offered = facets(cards)
    return render_shared(
        "board/board.html",
        {
            # Who is here changes without a change to the board: the live socket tells it.
            "presence": None,
            "access": access,
            "board": access.board,
            "columns": columns,
            "cards": grouped,
            "filters": filters,
            "results": results,
            "labels": offered.labels,
            "languages": offered.languages,
            "audiences": offered.audiences,
            "kinds": list(Kind),
            "pending": (
                await pending_count(session, access.board.id) if access.is_facilitator else 0
            ),
            "values": {},
            "error": None,
            "sent": False,
        },
    )


#: The board page's region that the search box fills while one types (templates/board/board.html).
RESULTS_REGION = "board-results"


async def _search_results(request: Request, filters: SearchFilters) -> Response:
    """The search results alone, as htmx asks for them at each pause in typing: the cards found,
    not the whole board. Told apart from the page by htmx's target, not by `HX-Request` alone,
    which a boosted link or form also sends (and which wants the whole page). Nothing in it is
    personal, so it is kept for its audience as the page is."""

    async def render(session: AsyncSession, access: BoardAccess) -> Document:
        results = await search_cards(session, access, filters)
        context = {
            "access": access,
            "board": access.board,
            "results": results,
            "filters": filters,
            "partial": True,
        }
        return Document.of(render_fragment("board/_results.html", **context).encode())

    found = await kept_rendering(
        request,
        ("board_results", filters),
        render,
    )
    # The same address answers the whole page to a browser: a cache must keep both apart.
    headers = {"ETag": found.etag, "Vary": "HX-Target"}
    return Response(found.body, media_type="text/html; charset=utf-8", headers=headers)


async def column_fragment(request: Request) -> Response:
    """One column with its cards, as the board draws it for the asker's audience: what a browser
    reads again when a live move left its copy of the column in another order than the
    server's (static/board.js). Kept per audience like the page."""
    column_id = int_param(request.path_params["id"])

    async def render(session: AsyncSession, access: BoardAccess) -> Document:
        columns = await services.board_columns(session, access.board)
        places = {column.id: n for n, column in enumerate(columns, 1)}
        if column_id not in places:
            raise NotFound(gettext("There is no such column on this board."))
        column = columns[places[column_id] - 1]
        tiles = (await card_tiles(session, access.board)).get(column_id, [])
        return Document.of(column_html(column, tiles, access.board, access).encode())

    found = await kept_rendering(request, ("column", column_id), render)
    return Response(found.body, media_type="text/html; charset=utf-8", headers={"ETag": found.etag})


async def new_column_form(request: Request) -> Response:
    """The form that adds a column: where the board's "New column" link leads, and the page
    htmx takes the form from, in place."""
    async with database(request).read() as session:
        access = await board_access(session, request.path_params["slug"], current_user(request))
        access.require_facilitator()
        return render(request, "board/column_new.html", {"access": access, "board": access.board})


async def column_tools_page(request: Request) -> Response:
    """A column's tools for its facilitators (add a resource, rename, move, archive): where the
    board's "Column options" link leads, and the page htmx takes the panel from, in place."""
    column_id = int_param(request.path_params["id"])
    async with database(request).read() as session:
        access = await board_access(session, request.path_params["slug"], current_user(request))
        access.require_facilitator()
        columns = await services.board_columns(session, access.board)
        places = {column.id: n for n, column in enumerate(columns, 1)}
        if column_id not in places:
            raise NotFound(gettext("There is no such column on this board."))
        context = {
            "access": access,
            "board": access.board,
            "column": columns[places[column_id] - 1],
            "place": places[column_id],
        }
        return render(request, "board/column.html", context)


async def card_page(request: Request) -> Response:
    card_id = int_param(request.path_params["id"])
    base_url = settings(request).base_url

    async def render(session: AsyncSession, access: BoardAccess) -> SharedPage:
        card = await card_services.card_on_board(session, access, card_id)
        columns = await services.board_columns(session, access.board)
        board = access.board
        place = await card_services.card_place(session, card) if access.is_facilitator else 1
        context = {
            "access": access,
            "board": board,
            "card": card,
            "columns": columns,
            "place": place,
            "permalink": discovery.card_permalink(base_url, board, card),
            "open_graph": discovery.open_graph(base_url, board, card, current_locale()),
            "learning_resource": discovery.learning_resource(base_url, board, card),
        }
        return render_shared("board/card.html", context)

    page = await kept_rendering(
        request,
        ("card_page", card_id),
        render,
    )
    return shared_page_response(request, page)


async def new_card_form(request: Request) -> Response:
    column_text = request.query_params.get("column", "")
    async with database(request).read() as session:
        access = await board_access(session, request.path_params["slug"], current_user(request))
        access.require_facilitator()
        columns = await services.board_columns(session, access.board)
        values = {"column_id": column_text, "kind": "other"}
        return await _card_form(request, access, columns, values, None, status=200)


async def create_card(request: Request) -> Response:
    fields = await form_fields(request)
    slug = request.path_params["slug"]
    try:
        data = parse_form(CardIn, _card_fields(fields, with_column=True))
        async with database(request).write() as session:
            access = await board_access(session, slug, current_user(request))
            card = await card_services.create_card(session, access, data)
            card_id = card.id
    except Invalid as error:
        return await _card_form_again(request, fields, error)
    return see_other(_board_url(slug, f"card-{card_id}"))


async def edit_card_form(request: Request) -> Response:
    async with database(request).read() as session:
        access = await board_access(session, request.path_params["slug"], current_user(request))
        access.require_facilitator()
        card = await card_services.card_on_board(
            session, access, int_param(request.path_params["id"])
        )
        return await _card_form(request, access, [], _card_values(card), None, card=card)


async def update_card(request: Request) -> Response:
    fields = await form_fields(request)
    slug = request.path_params["slug"]
    card_id = int_param(request.path_params["id"])
    try:
        patch = parse_form(CardPatch, _card_fields(fields, with_column=False))
        async with database(request).write() as session:
            access = await board_access(session, slug, current_user(request))
            await card_services.update_card(session, access, card_id, patch)
    except Invalid as error:
        return await _card_form_again(request, fields, error, card_id=card_id)
    except Conflict as conflict:
        # Show the newer version beside what this person typed, so nothing is lost.
        async with database(request).read() as session:
            access = await board_access(session, slug, current_user(request))
            current = await card_services.card_on_board(session, access, card_id)
            return await _card_form(
                request,
                access,
                [],
                fields,
                conflict,
                card=current,
                status=409,
            )
    return see_other(url_path("card", slug=slug, id=card_id))


async def card_action(request: Request) -> Response:
    """Archive, restore or move a card from its page or the board (a small form each)."""
    slug = request.path_params["slug"]
    card_id = int_param(request.path_params["id"])
    action = _action(request, {"archive", "restore", "move"})
    fields = await form_fields(request)
    async with database(request).write() as session:
        # A move records one event whenever it commits: its seq is taken with the access.
        access = await board_access(
            session, slug, current_user(request), taking_seq=action == "move"
        )
        if action == "archive":
            await card_services.archive_card(session, access, card_id)
            return see_other(_archived_url(slug, f"card-{card_id}"))
        if action == "restore":
            await card_services.restore_card(session, access, card_id)
        else:
            move = parse_form(
                MoveCard, {"column_id": fields.get("column_id"), "index": _index(fields)}
            )
            await card_services.move_card(session, access, card_id, move.column_id, move.index)
    return _done(request, _board_url(slug, f"card-{card_id}"))


async def create_column(request: Request) -> Response:
    slug = request.path_params["slug"]
    fields = await form_fields(request)
    data = parse_form(ColumnIn, {k: v for k, v in fields.items() if k in {"title", "colour"}})
    async with database(request).write() as session:
        access = await board_access(session, slug, current_user(request))
        column = await services.create_column(session, access, data)
        column_id = column.id
    return see_other(_board_url(slug, f"column-{column_id}"))


async def column_action(request: Request) -> Response:
    slug = request.path_params["slug"]
    column_id = int_param(request.path_params["id"])
    action = _action(request, {"archive", "restore", "move", "edit"})
    fields = await form_fields(request)
    async with database(request).write() as session:
        access = await board_access(session, slug, current_user(request))
        if action == "archive":
            await services.archive_column(session, access, column_id)
            return see_other(_archived_url(slug, f"column-{column_id}"))
        if action == "restore":
            await services.restore_column(session, access, column_id)
        elif action == "move":
            move = parse_form(MoveColumn, {"index": _index(fields)})
            await services.move_column(session, access, column_id, move.index)
        else:
            patch = parse_form(
                ColumnPatch, {k: v for k, v in fields.items() if k in {"title", "colour"}}
            )
            await services.update_column(session, access, column_id, patch)
    return _done(request, _board_url(slug, f"column-{column_id}"))


def _done(request: Request, url: str) -> Response:
    """303 for a form; 204 for a script's call (drag-and-drop), which needs no page back."""
    if request.headers.get("HX-Request") and not request.headers.get("HX-Boosted"):
        return Response(status_code=204)
    return see_other(url)


def _action(request: Request, allowed: set[str]) -> str:
    action: str = request.path_params["action"]
    if action not in allowed:
        raise NotFound(gettext("There is nothing at this address."))
    return action


def _index(fields: dict[str, Any]) -> int | str:
    """Forms count positions from 1, as people do; the services count from 0."""
    text = str(fields.get("position", "")).strip()
    return int(text) - 1 if text.isdigit() and int(text) > 0 else text or "x"


def _card_fields(fields: dict[str, Any], *, with_column: bool) -> dict[str, Any]:
    names = {
        "title",
        "url",
        "description",
        "kind",
        "languages",
        "labels",
        "audiences",
        "source",
        "licence",
    }
    names |= {"column_id"} if with_column else {"version"}
    data = {key: value for key, value in fields.items() if key in names}
    if "url" in data and not str(data["url"]).strip():
        data["url"] = None
    return data


def _card_values(card: Card) -> dict[str, Any]:
    return {
        "title": card.title,
        "url": card.url or "",
        "description": card.description,
        "kind": card.kind.value,
        "languages": ", ".join(card.languages),
        "labels": ", ".join(label.name for label in card.labels),
        "audiences": ", ".join(card.audiences),
        "source": card.source,
        "licence": card.licence,
        "version": str(card.version),
        "column_id": str(card.column_id),
    }


async def _card_form_again(
    request: Request, fields: dict[str, Any], error: Invalid, card_id: int | None = None
) -> Response:
    async with database(request).read() as session:
        access = await board_access(session, request.path_params["slug"], current_user(request))
        access.require_facilitator()
        card = None
        if card_id is not None:
            card = await card_services.card_on_board(session, access, card_id)
        columns = await services.board_columns(session, access.board)
        return await _card_form(request, access, columns, fields, error, card=card, status=422)


async def _card_form(
    request: Request,
    access: Any,
    columns: list[Any],
    values: dict[str, Any],
    error: Invalid | Conflict | None,
    *,
    card: Card | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "board/card_form.html",
        {
            "access": access,
            "board": access.board,
            "columns": columns,
            "values": values,
            "error": error,
            "card": card,
            "kinds": list(Kind),
        },
        status=status,
    )


async def home(request: Request) -> Response:
    async with database(request).read() as session:
        boards = await services.visible_boards(session, current_user(request))
    return render(request, "home.html", {"boards": boards, "error": None, "values": {}})


async def create_board_form(request: Request) -> Response:
    user = current_user(request)
    if user is None:
        raise NotSignedIn(gettext("Sign in to do this."))
    fields = await form_fields(request)
    try:
        data = parse_form(
            BoardIn, {k: v for k, v in fields.items() if k in {"slug", "title", "visibility"}}
        )
        async with database(request).write() as session:
            board = await services.create_board(
                session, user, data, default_timezone=settings(request).timezone, facilitator=user
            )
            slug = board.slug
    except (Invalid, DomainError) as error:
        if error.status not in {409, 422}:
            raise
        async with database(request).read() as session:
            boards = await services.visible_boards(session, user)
        return render(
            request, "home.html", {"boards": boards, "error": error, "values": fields}, status=422
        )
    return see_other(url_path("board", slug=slug))
