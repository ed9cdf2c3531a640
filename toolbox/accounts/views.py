"""Signing in and out, and choosing one's language."""

from __future__ import annotations

import math
from urllib.parse import urlencode, urlsplit

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response

from toolbox import i18n
from toolbox.accounts import onetime, services
from toolbox.accounts.models import User
from toolbox.accounts.throttle import LoginThrottle, MailThrottle
from toolbox.errors import Invalid
from toolbox.i18n import gettext as _
from toolbox.i18n import ngettext
from toolbox.middleware import LOCALE_COOKIE, SESSION_COOKIE
from toolbox.security import hash_token, signed, unsigned
from toolbox.templating import render
from toolbox.urls import url_path
from toolbox.web import current_user, database, form_fields, see_other, settings, signed_in_user


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


def login_throttle(request: Request) -> LoginThrottle:
    throttle: LoginThrottle = request.app.state.login_throttle
    return throttle


def client_address(request: Request) -> str:
    """The client's address as the server believes it (see `toolbox.accounts.throttle`)."""
    return request.client.host if request.client else ""


def too_many_wrong_passwords(wait: int, *, field: str) -> Invalid:
    """The sentence of a throttled password (a `429`, with `Retry-After: wait`)."""
    minutes = math.ceil(wait / 60)
    return Invalid(
        ngettext(
            "Too many wrong passwords. Try again in %(num)d minute.",
            "Too many wrong passwords. Try again in %(num)d minutes.",
            minutes,
        ),
        field=field,
    )


async def login(request: Request) -> Response:
    fields = await form_fields(request)
    email = str(fields.get("email", ""))[:254]
    password = str(fields.get("password", ""))[:1000]
    target = safe_next(fields.get("next"))
    throttle = login_throttle(request)
    address = client_address(request)
    if wait := await throttle.wait_seconds(email, address):
        error = too_many_wrong_passwords(wait, field="password")
        page = render(
            request,
            "accounts/login.html",
            {"next": target, "error": error, "email": email},
            status=429,
        )
        page.headers["Retry-After"] = str(wait)
        return page
    # The session this browser held before, if any, ends: a sign-in always starts a new one,
    # so that a session token planted in the browser beforehand is worth nothing after it.
    before = session_token(request)
    async with database(request).write() as session:
        user = await services.authenticate(session, email, password)
        token = await services.start_session(session, user) if user else None
        if token is not None and before is not None:
            await services.end_session(session, before)
    if token is not None and before is not None:
        await request.app.state.identify.forget("session", before)
    if token is None:
        await throttle.failed(email, address)
        error = Invalid(_("This e-mail and password do not match an account."), field="password")
        return render(
            request,
            "accounts/login.html",
            {"next": target, "error": error, "email": email},
            status=422,
        )
    return sign_in(request, see_other(target), token)


def session_token(request: Request) -> str | None:
    """The session token of the request's cookie, if its signature holds."""
    cookie = request.cookies.get(SESSION_COOKIE)
    return unsigned(settings(request).secret_key, cookie) if cookie else None


async def forget_sessions(request: Request, hashes: list[str]) -> None:
    """Sessions just ended (their transaction committed): every process forgets them and
    closes the sockets let in with them."""
    for token_hash in hashes:
        await request.app.state.identify.forget_everywhere("session", token_hash)


async def logout(request: Request) -> Response:
    token = session_token(request)
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


def _mail_settings(request: Request) -> dict[str, str]:
    config = settings(request)
    return {"base_url": config.base_url, "default_locale": i18n.current_locale()}


def wake_mailer(request: Request) -> None:
    """The mail just queued goes now, not at the worker's next look."""
    request.app.state.mailer.wake()


async def reset_form(request: Request) -> Response:
    return render(request, "accounts/reset.html", {"sent": False, "error": None, "email": ""})


async def request_reset(request: Request) -> Response:
    fields = await form_fields(request)
    email = str(fields.get("email", ""))[:254]
    try:
        email = services.normalise_email(email)
    except Invalid as error:  # a malformed address: says nothing of any account
        return render(
            request,
            "accounts/reset.html",
            {"sent": False, "error": error, "email": email},
            status=422,
        )
    page = render(request, "accounts/reset.html", {"sent": True, "error": None, "email": email})
    # Looked for once the answer is gone: its time then owes nothing to whether an account
    # has the address (a link made and mailed, or nothing).
    page.background = BackgroundTask(_mail_reset_link, request, email, _mail_settings(request))
    return page


async def _mail_reset_link(request: Request, email: str, mail: dict[str, str]) -> None:
    # Past the hour's mails to this address, nothing is sent, and the answer already given
    # said the same as ever: no one learns more by asking again.
    if not await mail_throttle(request).take(email):
        return
    async with database(request).write() as session:
        await services.request_reset(session, email, **mail)
    wake_mailer(request)


def mail_throttle(request: Request) -> MailThrottle:
    throttle: MailThrottle = request.app.state.mail_throttle
    return throttle


async def new_password_form(request: Request) -> Response:
    token = request.path_params["token"]
    async with database(request).read() as session:
        if await onetime.holder(session, token, onetime.Purpose.reset) is None:
            raise services.LinkExpired(onetime.Purpose.reset)
    return render(request, "accounts/new_password.html", {"token": token, "error": None})


async def set_new_password(request: Request) -> Response:
    token = request.path_params["token"]
    fields = await form_fields(request)
    try:
        password_hash = await services.hashed_password(str(fields.get("password", ""))[:1001])
        async with database(request).write() as session:
            person, ended = await services.reset_password(session, token, password_hash)
            new_session = await services.start_session(session, person)
    except Invalid as error:
        return render(
            request, "accounts/new_password.html", {"token": token, "error": error}, status=422
        )
    await forget_sessions(request, ended)
    return sign_in(request, see_other(url_path("me")), new_session)


async def confirm_page(request: Request) -> Response:
    # A GET changes nothing: mail scanners open links before their reader does.
    token = request.path_params["token"]
    async with database(request).read() as session:
        if await onetime.holder(session, token, onetime.Purpose.confirm) is None:
            raise services.LinkExpired(onetime.Purpose.confirm)
    return render(
        request,
        "accounts/confirm.html",
        {"token": token, "next": safe_next(request.query_params.get("next"))},
    )


async def confirm(request: Request) -> Response:
    fields = await form_fields(request)
    async with database(request).write() as session:
        person = await services.confirm_email(session, request.path_params["token"])
    if person is None:
        raise services.LinkExpired(onetime.Purpose.confirm)
    if token := session_token(request):
        # This process must not go on believing, for its second, that the address is not
        # confirmed (another process may, for that second: no harm).
        request.app.state.identify.forget_hashed("session", hash_token(token))
    target = safe_next(fields.get("next"))
    if current_user(request) is None:
        target = url_path("login") + "?" + urlencode({"next": target})
    return see_other(target)


async def resend_confirmation(request: Request) -> Response:
    user = signed_in_user(request)
    if not await mail_throttle(request).take(user.email):
        return see_other(url_path("me") + "?resent=later")
    async with database(request).write() as session:
        await services.resend_confirmation(
            session, user, **_mail_settings(request), next_path=url_path("me")
        )
    wake_mailer(request)
    return see_other(url_path("me") + "?resent=1")
