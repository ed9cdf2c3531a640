"""`/me`: my favourites, bookings and sessions, my calendar and feed links, my API tokens."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from toolbox.accounts import services
from toolbox.accounts.views import (
    client_address,
    forget_sessions,
    login_throttle,
    session_token,
    too_many_wrong_passwords,
)
from toolbox.board.feed import feed_url
from toolbox.board.marks import my_favourites
from toolbox.board.services import visible_boards
from toolbox.board.suggestions import my_suggestions
from toolbox.brigade.calendar import calendar_feed_url
from toolbox.brigade.mine import my_bookings, my_sessions
from toolbox.errors import DomainError, Invalid, NotSignedIn
from toolbox.i18n import gettext as _
from toolbox.templating import render
from toolbox.urls import url_path
from toolbox.web import (
    current_user,
    database,
    form_fields,
    int_param,
    see_other,
    settings,
    signed_in_user,
)


async def me(
    request: Request,
    token: str | None = None,
    *,
    password_error: DomainError | None = None,
    status: int = 200,
) -> Response:
    user = signed_in_user(request)
    config = settings(request)
    query = request.query_params
    async with database(request).read() as session:
        bookings = await my_bookings(session, user)
        sessions = await my_sessions(session, user)
        return render(
            request,
            "accounts/me.html",
            {
                "token": token,
                "api_tokens": await services.api_tokens(session, user),
                "zone": config.timezone,
                "password_error": password_error,
                "password_changed": query.get("password") == "changed",
                "token_revoked": query.get("revoked") == "1",
                # "1" once sent, "later" when the hour's mails to the address are spent.
                "resent": query.get("resent", ""),
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
            status=status,
        )


async def new_api_token(request: Request) -> Response:
    user = signed_in_user(request)
    fields = await form_fields(request)
    name = " ".join(str(fields.get("name", "")).split())
    async with database(request).write() as session:
        token = await services.create_api_token(session, user, name=name)
    # Shown once, on this response only: we keep just its hash.
    return await me(request, token=token)


async def revoke_api_token(request: Request) -> Response:
    user = signed_in_user(request)
    token_id = int_param(request.path_params["id"])
    async with database(request).write() as session:
        token_hash = await services.revoke_api_token(session, user, token_id)
    # Refused at once in every process, and its sockets closed.
    await request.app.state.identify.forget_everywhere("api_token", token_hash)
    return see_other(url_path("me") + "?revoked=1#api")


async def change_password(request: Request) -> Response:
    user = current_user(request)
    token = session_token(request)
    if user is None or token is None:
        raise NotSignedIn(_("Sign in to do this."))
    fields = await form_fields(request)
    # The current password is a password to guess, as at the login: a session left open on a
    # shared computer must not let someone try every password of the account's owner.
    throttle, address = login_throttle(request), client_address(request)
    if wait := await throttle.wait_seconds(user.email, address):
        error = too_many_wrong_passwords(wait, field="current")
        page = await me(request, password_error=error, status=429)
        page.headers["Retry-After"] = str(wait)
        return page
    try:
        async with database(request).write() as session:
            ended = await services.change_password(
                session,
                user,
                str(fields.get("current", "")),
                str(fields.get("password", "")),
                session_token=token,
            )
    except Invalid as error:
        if error.field == "current":
            await throttle.failed(user.email, address)
        return await me(request, password_error=error, status=422)
    await forget_sessions(request, ended)
    return see_other(url_path("me") + "?password=changed#password")
