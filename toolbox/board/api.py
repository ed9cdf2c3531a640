"""The JSON API for boards, columns and cards (DESIGN.md §6). Thin: parse, call, serialise."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from toolbox.board import cards as card_services
from toolbox.board import marks, services
from toolbox.board.access import BoardAccess, board_access, board_access_by_id
from toolbox.board.documents import board_summary, card_document, column_document
from toolbox.board.models import BoardColumn, Card
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
from toolbox.errors import NotFound
from toolbox.events.audience import event_for_audience
from toolbox.events.log import event_document, events_after
from toolbox.i18n import gettext as _
from toolbox.renderings import Document
from toolbox.validation import DB_INT_MAX, parse_json
from toolbox.web import (
    current_user,
    database,
    document_response,
    int_param,
    json_document,
    json_response,
    settings,
    signed_in_user,
)

EVENTS_PAGE = 500
SEQ_MAX = 10**18 - 1


async def list_boards(request: Request) -> Response:
    async with database(request).read() as session:
        boards = await services.visible_boards(session, current_user(request))
        return json_response({"boards": [board_summary(board) for board in boards]})


async def create_board(request: Request) -> Response:
    user = signed_in_user(request)
    data = parse_json(BoardIn, await request.body())
    async with database(request).write() as session:
        board = await services.create_board(
            session, user, data, default_timezone=settings(request).timezone
        )
        document = board_summary(board)
    return json_response(document, status=201)


async def get_board(request: Request) -> Response:
    archived = request.query_params.get("archived") == "1"

    async def render(session: AsyncSession, access: BoardAccess) -> Document:
        show_archived = archived and access.is_facilitator
        columns = await services.board_columns(session, access.board, archived=show_archived)
        grouped = await services.cards_by_column(session, access.board, archived=show_archived)
        document = board_summary(access.board)
        document["columns"] = [column_document(c, grouped.get(c.id, [])) for c in columns]
        return json_document(document)

    return document_response(request, await _kept(request, ("board", archived), render))


def _kept(
    request: Request,
    what: Hashable,
    render: Callable[[AsyncSession, BoardAccess], Awaitable[Document]],
) -> Awaitable[Document]:
    return kept_rendering(request, what, render)


async def create_column(request: Request) -> Response:
    data = parse_json(ColumnIn, await request.body())
    async with database(request).write() as session:
        access = await board_access(session, request.path_params["slug"], current_user(request))
        column = await services.create_column(session, access, data)
        document = column_document(column, [])
    return json_response(document, status=201)


async def update_column(request: Request) -> Response:
    patch = parse_json(ColumnPatch, await request.body())
    async with database(request).write() as session:
        access, column_id = await _column_access(session, request)
        column = await services.update_column(session, access, column_id, patch)
        document = column_document(column)
    return json_response(document)


async def move_column(request: Request) -> Response:
    move = parse_json(MoveColumn, await request.body())
    async with database(request).write() as session:
        access, column_id = await _column_access(session, request)
        column = await services.move_column(session, access, column_id, move.index)
        document = column_document(column)
    return json_response(document)


async def archive_column(request: Request) -> Response:
    async with database(request).write() as session:
        access, column_id = await _column_access(session, request)
        column = await services.archive_column(session, access, column_id)
        document = column_document(column)
    return json_response(document)


async def create_card(request: Request) -> Response:
    data = parse_json(CardIn, await request.body())
    async with database(request).write() as session:
        access = await board_access(session, request.path_params["slug"], current_user(request))
        card = await card_services.create_card(session, access, data)
        document = card_document(card)
    return json_response(document, status=201)


async def get_card(request: Request) -> Response:
    async with database(request).read() as session:
        card, _access = await card_services.card_access(
            session, int_param(request.path_params["id"]), current_user(request)
        )
        return json_response(card_document(card))


async def update_card(request: Request) -> Response:
    patch = parse_json(CardPatch, await request.body())
    async with database(request).write() as session:
        card, access = await _card_access(session, request)
        card = await card_services.update_card(session, access, card.id, patch)
        document = card_document(card)
    return json_response(document)


async def move_card(request: Request) -> Response:
    move = parse_json(MoveCard, await request.body())
    card_id = int_param(request.path_params["id"])
    async with database(request).write() as session:
        access = await card_services.card_board_access(
            session, card_id, current_user(request), taking_seq=True
        )
        card = await card_services.move_card_and_read(
            session, access, card_id, move.column_id, move.index
        )
        document = card_document(card)
    return json_response(document)


async def archive_card(request: Request) -> Response:
    async with database(request).write() as session:
        card, access = await _card_access(session, request)
        card = await card_services.archive_card(session, access, card.id)
        document = card_document(card)
    return json_response(document)


async def restore_card(request: Request) -> Response:
    async with database(request).write() as session:
        card, access = await _card_access(session, request)
        card = await card_services.restore_card(session, access, card.id)
        document = card_document(card)
    return json_response(document)


async def star(request: Request) -> Response:
    return await _favourite(request, on=True)


async def unstar(request: Request) -> Response:
    return await _favourite(request, on=False)


async def _favourite(request: Request, *, on: bool) -> Response:
    """PUT (star) or DELETE (unstar) /cards/{id}/favourite: private to the caller."""
    async with database(request).write() as session:
        card, access = await _card_access(session, request)
        await marks.set_favourite(session, access, card.id, on=on)
    return json_response({"card_id": card.id, "favourite": on})


async def mark_useful(request: Request) -> Response:
    return await _useful(request, on=True)


async def unmark_useful(request: Request) -> Response:
    return await _useful(request, on=False)


async def _useful(request: Request, *, on: bool) -> Response:
    """PUT (mark) or DELETE (take back) /cards/{id}/useful; answers the card's new count."""
    async with database(request).write() as session:
        card, access = await _card_access(session, request)
        card = await marks.set_useful(session, access, card.id, on=on)
        state = {"card_id": card.id, "marked": on, "useful": card.useful}
    return json_response(state)


async def my_favourites(request: Request) -> Response:
    user = signed_in_user(request)
    async with database(request).read() as session:
        starred = await marks.my_favourites(session, user)
        favourites = [{"board": board.slug, "card": card_document(card)} for card, board in starred]
    return json_response({"favourites": favourites})


async def search(request: Request) -> Response:
    filters = SearchFilters.from_query(request.query_params)

    async def render(session: AsyncSession, access: BoardAccess) -> Document:
        found = await search_cards(session, access, filters)
        results = [card_document(card) for card in found.cards]
        return json_document({"results": results, "total": found.total})

    return document_response(request, await _kept(request, ("search", filters), render))


async def events(request: Request) -> Response:
    after_text = request.query_params.get("after", "0")
    # Any seq up to 18 digits is accepted, as it always was; past the INTEGER column none is
    # later, and the driver must not see the number (PostgreSQL refuses it: a 500).
    after = int_param(after_text, field="after", maximum=SEQ_MAX) if after_text else 0
    after = min(after, DB_INT_MAX)
    async with database(request).read() as session:
        access = await board_access(session, request.path_params["slug"], current_user(request))
        rows = await events_after(session, access.board.id, after, limit=EVENTS_PAGE)
        documents = (event_for_audience(event_document(row), access.audience) for row in rows)
        visible = [document for document in documents if document]
        return json_response(
            {
                "seq": access.board.seq,
                "events": visible,
                "more": len(rows) == EVENTS_PAGE,
            }
        )


async def _column_access(session: AsyncSession, request: Request) -> tuple[BoardAccess, int]:
    column_id = int_param(request.path_params["id"])
    column = await session.get(BoardColumn, column_id)
    if column is None:
        raise NotFound(_("There is no such column on this board."))
    return await board_access_by_id(session, column.board_id, current_user(request)), column_id


async def _card_access(session: AsyncSession, request: Request) -> tuple[Card, BoardAccess]:
    return await card_services.card_access(
        session, int_param(request.path_params["id"]), current_user(request)
    )
