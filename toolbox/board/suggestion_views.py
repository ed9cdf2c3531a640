"""Suggestions from the pages: a participant proposes from the board; facilitators accept or
decline from the manage page. Thin: parse, call `toolbox.board.suggestions`, answer."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from toolbox.board import suggestions
from toolbox.board.access import board_access
from toolbox.board.schemas import AcceptSuggestion, DeclineSuggestion, SuggestionIn
from toolbox.errors import DomainError
from toolbox.templating import render_fragment
from toolbox.urls import url_path
from toolbox.validation import parse_form
from toolbox.web import current_user, database, form_fields, int_param, see_other

SUGGESTION_FIELDS = ("title", "url", "why")


async def propose(request: Request) -> Response:
    slug = request.path_params["slug"]
    fields = await form_fields(request)
    values = {name: str(fields.get(name, "")) for name in SUGGESTION_FIELDS}
    htmx = bool(request.headers.get("HX-Request"))
    try:
        data = parse_form(SuggestionIn, {**values, "url": values["url"].strip() or None})
        async with database(request).write() as session:
            access = await board_access(session, slug, current_user(request))
            await suggestions.suggest(session, access, data)
            board = access.board
    except DomainError as error:
        if htmx and error.code == "email_unconfirmed":
            # htmx swaps no 403 into the form; its page says what to do and resends the link.
            return Response(status_code=403, headers={"HX-Redirect": url_path("me") + "#confirm"})
        if not htmx or error.status not in {409, 422}:
            raise
        async with database(request).read() as session:
            board = (await board_access(session, slug, current_user(request))).board
            return _form(board, values, error=error, status=error.status)
    if htmx:
        return _form(board, {}, sent=True)
    return see_other(url_path("me") + "#my-suggestions")


def _form(board: Any, values: dict[str, str], *, status: int = 200, **context: Any) -> Response:
    context.setdefault("error", None)
    context.setdefault("sent", False)
    html = render_fragment("board/_suggest.html", board=board, values=values, **context)
    return Response(html, status_code=status, media_type="text/html; charset=utf-8")


async def accept(request: Request) -> Response:
    fields = await form_fields(request)
    data = parse_form(
        AcceptSuggestion,
        {
            "column_id": fields.get("column_id"),
            "title": fields.get("title") or None,
            "url": (fields.get("url") or "").strip() or None,
            "description": fields.get("description", ""),
            "kind": fields.get("kind") or None,
        },
    )
    return await _decide(request, data)


async def decline(request: Request) -> Response:
    fields = await form_fields(request)
    data = parse_form(DeclineSuggestion, {"reason": fields.get("reason", "")})
    return await _decide(request, data)


async def _decide(request: Request, data: AcceptSuggestion | DeclineSuggestion) -> Response:
    slug = request.path_params["slug"]
    async with database(request).write() as session:
        access = await board_access(session, slug, current_user(request))
        suggestion_id = int_param(request.path_params["id"])
        if isinstance(data, AcceptSuggestion):
            await suggestions.accept(session, access, suggestion_id, data)
        else:
            await suggestions.decline(session, access, suggestion_id, data)
    return see_other(url_path("manage", slug=slug) + "#suggestions")
