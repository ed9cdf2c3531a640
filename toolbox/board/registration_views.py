"""`/register/{slug}`: joining a board that takes registrations; and the facilitators' switch."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from toolbox import i18n
from toolbox.accounts import services as accounts
from toolbox.accounts.views import mail_throttle, wake_mailer
from toolbox.board import registration
from toolbox.board.access import board_access
from toolbox.errors import Invalid
from toolbox.templating import render
from toolbox.urls import url_path
from toolbox.web import current_user, database, form_fields, see_other, settings


async def register_page(request: Request) -> Response:
    async with database(request).read() as session:
        access = await registration.open_board(
            session, request.path_params["slug"], current_user(request)
        )
    return render(
        request,
        "accounts/register.html",
        {"board": access.board, "role": access.role, "sent": False, "error": None, "values": {}},
    )


async def register(request: Request) -> Response:
    slug = request.path_params["slug"]
    user = current_user(request)
    if user is not None:
        async with database(request).write() as session:
            board = await registration.join(session, slug, user)
        return see_other(url_path("board", slug=board.slug))
    fields = await form_fields(request)
    values = {key: str(fields.get(key, "")) for key in ("email", "name")}
    try:
        async with database(request).read() as session:
            await registration.open_board(session, slug, None)  # before any work on the form
        email = accounts.check_new_account(
            values["email"][:254], name=values["name"][:121], password=None
        )
        password_hash = await accounts.hashed_password(str(fields.get("password", ""))[:1001])
        may_mail = await mail_throttle(request).take(email)
        async with database(request).write() as session:
            board = await registration.register(
                session,
                slug,
                email=values["email"][:254],
                name=values["name"][:121],
                password_hash=password_hash,
                locale=i18n.current_locale(),
                base_url=settings(request).base_url,
                may_mail=may_mail,
            )
    except Invalid as error:
        async with database(request).read() as session:
            access = await registration.open_board(session, slug, None)
        return render(
            request,
            "accounts/register.html",
            {"board": access.board, "role": None, "sent": False, "error": error, "values": values},
            status=422,
        )
    wake_mailer(request)
    # The same page whether the address had an account or not (see toolbox.board.registration).
    return render(
        request,
        "accounts/register.html",
        {"board": board, "role": None, "sent": True, "error": None, "values": values},
    )


async def save_registration(request: Request) -> Response:
    slug = request.path_params["slug"]
    fields = await form_fields(request)
    async with database(request).write() as session:
        access = await board_access(session, slug, current_user(request))
        await registration.set_registration(session, access, fields.get("open") == "1")
    return see_other(url_path("manage", slug=slug) + "#registration")
