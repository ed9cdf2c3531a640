"""Pages for signing in and out, joining by invitation, one's own settings, and managing members."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response

from toolbox import i18n
from toolbox.accounts import services
from toolbox.accounts.models import Role, User
from toolbox.board.access import board_access
from toolbox.board.models import BoardColumn, Card
from toolbox.board.schemas import BoardIn
from toolbox.board.services import create_board, visible_boards
from toolbox.brigade.calendar import calendar_feed_url
from toolbox.brigade.mine import my_bookings, my_sessions
from toolbox.errors import DomainError, Invalid, NotSignedIn
from toolbox.events.log import events_after
from toolbox.i18n import gettext as _
from toolbox.middleware import LOCALE_COOKIE, SESSION_COOKIE
from toolbox.security import signed, unsigned
from toolbox.templating import render
from toolbox.validation import parse_form
from toolbox.web import current_user, database, form_fields, int_param, see_other, settings


def _safe_next(target: str | None) -> str:
    """Only local paths: a `next=` link must not send anyone to another site after sign-in."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    parts = urlsplit(target)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _sign_in(request: Request, response: Response, token: str) -> Response:
    response.set_cookie(
        SESSION_COOKIE,
        signed(settings(request).secret_key, token),
        max_age=int(services.SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=settings(request).production,
    )
    return response


async def home(request: Request) -> Response:
    async with database(request).read() as session:
        boards = await visible_boards(session, current_user(request))
    return render(request, "home.html", {"boards": boards, "error": None, "values": {}})


async def create_board_form(request: Request) -> Response:
    user = current_user(request)
    if user is None:
        raise NotSignedIn(_("Sign in to do this."))
    fields = await form_fields(request)
    try:
        data = parse_form(
            BoardIn, {k: v for k, v in fields.items() if k in {"slug", "title", "visibility"}}
        )
        async with database(request).write() as session:
            board = await create_board(
                session, user, data, default_timezone=settings(request).timezone, facilitator=user
            )
            slug = board.slug
    except (Invalid, DomainError) as error:
        if error.status not in {409, 422}:
            raise
        async with database(request).read() as session:
            boards = await visible_boards(session, user)
        return render(
            request, "home.html", {"boards": boards, "error": error, "values": fields}, status=422
        )
    return see_other(f"/b/{slug}")


async def login_form(request: Request) -> Response:
    return render(
        request,
        "accounts/login.html",
        {"next": _safe_next(request.query_params.get("next")), "error": None, "email": ""},
    )


async def login(request: Request) -> Response:
    fields = await form_fields(request)
    email = str(fields.get("email", ""))[:254]
    password = str(fields.get("password", ""))[:1000]
    target = _safe_next(fields.get("next"))
    async with database(request).write() as session:
        user = await services.authenticate(session, email, password)
        token = await services.start_session(session, user) if user else None
    if token is None:
        error = Invalid(_("This e-mail and password do not match an account."), field="password")
        return render(
            request,
            "accounts/login.html",
            {"next": target, "error": error, "email": email},
            status=422,
        )
    return _sign_in(request, see_other(target), token)


async def logout(request: Request) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE)
    token = unsigned(settings(request).secret_key, cookie) if cookie else None
    if token:
        async with database(request).write() as session:
            await services.end_session(session, token)
    response = see_other("/")
    response.delete_cookie(SESSION_COOKIE)
    return response


async def choose_language(request: Request) -> Response:
    fields = await form_fields(request)
    locale = str(fields.get("locale", ""))
    if locale not in i18n.LOCALES:
        raise Invalid(_("This value is not one of the choices."), field="locale")
    user = current_user(request)
    if user is not None:
        async with database(request).write() as session:
            person = await session.get(User, user.id)
            assert person is not None
            await services.set_locale(session, person, locale)
    response = see_other(_safe_next(fields.get("next")))
    response.set_cookie(LOCALE_COOKIE, locale, max_age=365 * 86400, samesite="lax")
    return response


async def me(request: Request, token: str | None = None) -> Response:
    user = current_user(request)
    if user is None:
        raise NotSignedIn(_("Sign in to do this."))
    config = settings(request)
    async with database(request).read() as session:
        return render(
            request,
            "accounts/me.html",
            {
                "token": token,
                "bookings": await my_bookings(session, user),
                "sessions": await my_sessions(session, user),
                "calendar_url": calendar_feed_url(config.base_url, config.secret_key, user),
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


async def invitation_page(request: Request) -> Response:
    async with database(request).read() as session:
        invitation, board = await services.open_invitation(session, request.path_params["token"])
    return render(
        request,
        "accounts/invitation.html",
        {"board": board, "role": invitation.role, "error": None, "values": {}},
    )


async def accept_invitation(request: Request) -> Response:
    token = request.path_params["token"]
    fields = await form_fields(request)
    user = current_user(request)
    session_token = None
    try:
        async with database(request).write() as session:
            if user is None:
                user = await services.create_user(
                    session,
                    str(fields.get("email", "")),
                    name=str(fields.get("name", ""))[:121],
                    password=str(fields.get("password", "")),
                    locale=i18n.current_locale(),
                )
                session_token = await services.start_session(session, user)
            board = await services.accept_invitation(session, token, user)
            slug = board.slug
    except DomainError as error:
        if error.status not in {409, 422}:
            raise
        async with database(request).read() as session:
            invitation, board = await services.open_invitation(session, token)
        return render(
            request,
            "accounts/invitation.html",
            {"board": board, "role": invitation.role, "error": error, "values": fields},
            status=error.status,
        )
    response = see_other(f"/b/{slug}")
    return _sign_in(request, response, session_token) if session_token else response


async def manage_page(request: Request, invitation_link: str | None = None) -> Response:
    async with database(request).read() as session:
        access = await board_access(session, request.path_params["slug"], current_user(request))
        access.require_facilitator()
        board = access.board
        members = await services.board_members(session, board)
        archived_columns = list(
            await session.scalars(
                select(BoardColumn)
                .where(BoardColumn.board_id == board.id, BoardColumn.archived_at.is_not(None))
                .order_by(BoardColumn.archived_at.desc())
            )
        )
        archived_cards = list(
            await session.scalars(
                select(Card)
                .where(Card.board_id == board.id, Card.archived_at.is_not(None))
                .order_by(Card.archived_at.desc())
            )
        )
        history = await events_after(session, board.id, max(0, board.seq - 50))
        return render(
            request,
            "board/manage.html",
            {
                "access": access,
                "board": board,
                "members": members,
                "roles": list(Role),
                "archived_columns": archived_columns,
                "archived_cards": archived_cards,
                "history": list(reversed(history)),
                "invitation_link": invitation_link,
            },
        )


async def invite(request: Request) -> Response:
    fields = await form_fields(request)
    role = _role(fields.get("role"))
    async with database(request).write() as session:
        access = await board_access(session, request.path_params["slug"], current_user(request))
        token = await services.create_invitation(session, access, role)
    return await manage_page(
        request, invitation_link=f"{settings(request).base_url}/invite/{token}"
    )


async def change_role(request: Request) -> Response:
    fields = await form_fields(request)
    role = _role(fields.get("role"))
    slug = request.path_params["slug"]
    async with database(request).write() as session:
        access = await board_access(session, slug, current_user(request))
        await services.change_role(session, access, int_param(request.path_params["id"]), role)
    return see_other(f"/b/{slug}/manage#members")


def _role(value: object) -> Role:
    try:
        return Role(str(value))
    except ValueError:
        raise Invalid(_("This value is not one of the choices."), field="role") from None
