"""`/me`: my favourites, bookings and sessions, my calendar and feed links, my API tokens."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from toolbox.accounts import services
from toolbox.board.feed import feed_url
from toolbox.board.marks import my_favourites
from toolbox.board.services import visible_boards
from toolbox.board.suggestions import my_suggestions
from toolbox.brigade.calendar import calendar_feed_url
from toolbox.brigade.mine import my_bookings, my_sessions
from toolbox.errors import NotSignedIn
from toolbox.i18n import gettext as _
from toolbox.templating import render
from toolbox.web import current_user, database, settings


async def me(request: Request, token: str | None = None) -> Response:
    user = current_user(request)
    if user is None:
        raise NotSignedIn(_("Sign in to do this."))
    config = settings(request)
    async with database(request).read() as session:
        bookings = await my_bookings(session, user)
        sessions = await my_sessions(session, user)
        return render(
            request,
            "accounts/me.html",
            {
                "token": token,
                "favourites": await my_favourites(session, user),
                "suggestions": await my_suggestions(session, user),
                "bookings": bookings,
                "sessions": sessions,
                "calendar_url": calendar_feed_url(config.base_url, config.secret_key, user),
                "feeds": [
                    (board, feed_url(config.base_url, config.secret_key, board, user))
                    for board in await visible_boards(session, user)
                ],
            },
        )


async def new_api_token(request: Request) -> Response:
    user = current_user(request)
    if user is None:
        raise NotSignedIn(_("Sign in to do this."))
    async with database(request).write() as session:
        token = await services.create_api_token(session, user, name="/me")
    # Shown once, on this response only: we keep just its hash.
    return await me(request, token=token)
