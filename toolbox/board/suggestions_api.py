"""The suggestions' JSON API (DESIGN.md §6): propose, list, accept, decline. Thin, as api.py."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from toolbox.board import suggestions
from toolbox.board.access import BoardAccess, board_access
from toolbox.board.models import Board, Suggestion, SuggestionStatus
from toolbox.board.schemas import AcceptSuggestion, DeclineSuggestion, SuggestionIn
from toolbox.board.suggestions import suggestion_document, suggestion_view
from toolbox.validation import parse_json
from toolbox.web import current_user, database, int_param, json_response


async def propose(request: Request) -> Response:
    data = parse_json(SuggestionIn, await request.body())
    async with database(request).write() as session:
        access = await board_access(session, request.path_params["slug"], current_user(request))
        suggestion = await suggestions.suggest(session, access, data)
        view = await suggestion_view(session, suggestion)
        document = suggestion_document(view, access.board.slug)
    return json_response(document, status=201)


async def list_suggestions(request: Request) -> Response:
    async with database(request).read() as session:
        access = await board_access(session, request.path_params["slug"], current_user(request))
        views = await suggestions.board_suggestions(session, access)
        documents = [suggestion_document(view, access.board.slug) for view in views]
    pending = sum(1 for view in views if view.suggestion.status == SuggestionStatus.pending)
    return json_response({"suggestions": documents, "pending": pending})


async def accept(request: Request) -> Response:
    data = parse_json(AcceptSuggestion, await request.body())

    async def decision(session: AsyncSession, access: BoardAccess, found: int) -> Suggestion:
        return await suggestions.accept(session, access, found, data)

    return await _decide(request, decision)


async def decline(request: Request) -> Response:
    data = parse_json(DeclineSuggestion, await request.body())

    async def decision(session: AsyncSession, access: BoardAccess, found: int) -> Suggestion:
        return await suggestions.decline(session, access, found, data)

    return await _decide(request, decision)


Decision = Callable[[AsyncSession, BoardAccess, int], Awaitable[Suggestion]]


async def _decide(request: Request, decision: Decision) -> Response:
    async with database(request).write() as session:
        suggestion, access = await suggestions.suggestion_access(
            session, int_param(request.path_params["id"]), current_user(request)
        )
        decided: Suggestion = await decision(session, access, suggestion.id)
        view = await suggestion_view(session, decided)
        board = await session.get(Board, decided.board_id)
        assert board is not None
        document = suggestion_document(view, board.slug)
    return json_response(document)
