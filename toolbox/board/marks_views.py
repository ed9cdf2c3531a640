"""The star and the useful mark of a card, from the board and the card page (htmx or plain forms).

htmx gets the card's marks back, pressed as they now are for this person; a browser without
JavaScript is sent back to the page the form was on (303)."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from toolbox.board import marks
from toolbox.board.access import board_access
from toolbox.board.models import Favourite, UsefulMark
from toolbox.templating import render_fragment
from toolbox.urls import url_path
from toolbox.web import current_user, database, form_fields, int_param, see_other


async def my_marks(request: Request) -> Response:
    """GET /b/{slug}/mine.json: the asker's favourites and useful marks on the board's cards,
    for board.js to press their buttons in the page shared by everyone (none for a visitor).
    A request of its own, so that the page itself stays a kept rendering read without the
    database."""
    async with database(request).read() as session:
        access = await board_access(session, request.path_params["slug"], current_user(request))
        mine = await marks.my_marks(session, access.board.slug, access.user)
    return JSONResponse(mine.as_document(), headers={"Cache-Control": "private, no-store"})


async def favourite_form(request: Request) -> Response:
    return await _mark(request, "favourite")


async def useful_form(request: Request) -> Response:
    return await _mark(request, "useful")


async def _mark(request: Request, which: str) -> Response:
    slug = request.path_params["slug"]
    card_id = int_param(request.path_params["id"])
    on = (await form_fields(request)).get("on") != "0"
    async with database(request).write() as session:
        access = await board_access(session, slug, current_user(request))
        if which == "favourite":
            card = await marks.set_favourite(session, access, card_id, on=on)
        else:
            card = await marks.set_useful(session, access, card_id, on=on)
        assert access.user is not None  # the services asked for someone signed in
        key = {"user_id": access.user.id, "card_id": card.id}
        fragment = render_fragment(
            "board/_marks.html",
            access=access,
            board=access.board,
            card=card,
            favourite=await session.get(Favourite, key) is not None,
            marked=await session.get(UsefulMark, key) is not None,
            personal=True,
        )
    if request.headers.get("HX-Request"):
        return HTMLResponse(fragment, headers={"Cache-Control": "no-store"})
    return see_other(_back(request, slug, card.id))


def _back(request: Request, slug: str, card_id: int) -> str:
    """The page the form was on, if it is this board's card page or /me, else the card on the
    board. Only a path of ours: never an address someone else put in a header."""
    board = url_path("board", slug=slug)
    path = urlsplit(request.headers.get("referer", "")).path
    if path.startswith(board + "/cards/") or path == url_path("me"):
        return path
    return f"{board}#card-{card_id}"
