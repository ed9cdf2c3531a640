"""Signing in and out, and choosing one's language."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from toolbox import i18n
from toolbox.accounts import services
from toolbox.accounts.models import User
from toolbox.errors import Invalid
from toolbox.i18n import gettext as _
from toolbox.middleware import LOCALE_COOKIE, SESSION_COOKIE
from toolbox.security import signed, unsigned
from toolbox.templating import render
from toolbox.urls import url_path
from toolbox.web import current_user, database, form_fields, see_other, settings


def safe_next(target: str | None) -> str:
    """Only local paths: a `next=` link must not send anyone to another site after sign-in."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return url_path("home")
    parts = urlsplit(target)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def sign_in(request: Request, response: Response, token: str) -> Response:
    response.set_cookie(
        SESSION_COOKIE,
        signed(settings(request).secret_key, token),
        max_age=int(services.SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=settings(request).production,
    )
    return response


async def login_form(request: Request) -> Response:
    return render(
        request,
        "accounts/login.html",
        {"next": safe_next(request.query_params.get("next")), "error": None, "email": ""},
    )


async def login(request: Request) -> Response:
    fields = await form_fields(request)
    email = str(fields.get("email", ""))[:254]
    password = str(fields.get("password", ""))[:1000]
    target = safe_next(fields.get("next"))
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
    return sign_in(request, see_other(target), token)


async def logout(request: Request) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE)
    token = unsigned(settings(request).secret_key, cookie) if cookie else None
    if token:
        async with database(request).write() as session:
            await services.end_session(session, token)
        await request.app.state.identify.forget("session", token)
    response = see_other(url_path("home"))
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
    response = see_other(safe_next(fields.get("next")))
    response.set_cookie(LOCALE_COOKIE, locale, max_age=365 * 86400, samesite="lax")
    return response
