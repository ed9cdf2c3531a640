"""ASGI middleware: security headers, who is asking and in which language, the body size limit,
same-origin writes.

Written as plain ASGI (not BaseHTTPMiddleware) so the same code covers websockets and the
language set here reaches the endpoint through the context variable.
"""

from __future__ import annotations

import json
import re
from http.cookies import SimpleCookie
from typing import Any

from sqlalchemy.exc import DBAPIError
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from toolbox import i18n
from toolbox.db import counting_commits, is_retryable
from toolbox.errors import DomainError, TooLarge
from toolbox.principal import CredentialKind, Identify, Principal
from toolbox.security import hash_token, same_origin, unsigned
from toolbox.settings import Settings
from toolbox.templating import render

SESSION_COOKIE = "toolbox_session"
LOCALE_COOKIE = "toolbox_locale"
MAX_BODY = 1024 * 1024
# The import form (`/b/{slug}/import` in routes.py) takes exported boards (the app passes their
# limit, `upload_limit`). Every other body stays at MAX_BODY.
UPLOAD_PATH = re.compile(r"^/b/[^/]+/import$")
#: Room for the multipart envelope around an uploaded file.
MULTIPART_MARGIN = 64 * 1024
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


# DESIGN.md §6: no inline or eval'd script anywhere; styles and scripts from the app itself
# (htmx's own indicator style is turned off in base.html's htmx-config for that reason); the
# websocket is `'self'` (CSP 3 lets it cover ws: and wss: on the same host); no framing.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    # Board and card addresses name what a room works on: no other site learns them.
    (b"referrer-policy", b"same-origin"),
    # A window this app opens, or that opens it, from another site gets no handle on it.
    (b"cross-origin-opener-policy", b"same-origin"),
    # For browsers that predate CSP's frame-ancestors.
    (b"x-frame-options", b"DENY"),
)
#: Two years, subdomains included: sent only when the app is served over HTTPS, since a
#: browser that heard it refuses plain HTTP on that host for as long.
HSTS = (b"strict-transport-security", b"max-age=63072000; includeSubDomains")


def security_headers(settings: Settings) -> tuple[tuple[bytes, bytes], ...]:
    """The headers of DESIGN.md §6 for every response and websocket handshake of this app."""
    if settings.production or settings.base_url.startswith("https://"):
        return (*SECURITY_HEADERS, HSTS)
    return SECURITY_HEADERS


class BodyTooLarge(TooLarge):
    pass


class SecurityHeadersMiddleware:
    """The headers of DESIGN.md §6 on every HTTP response, 304s and static files included, and
    on a websocket's handshake: it is the outermost layer, so nothing answered inside it can go
    without them. (A board's socket is served before the middleware, `toolbox.live.socket`,
    which accepts with the same `security_headers`.)"""

    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self.app = app
        self.headers = security_headers(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"}:
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] in {"http.response.start", "websocket.accept"}:
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [header for header in self.headers if header[0] not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def wants_page(scope: Scope) -> bool:
    """A browser navigating or submitting a form (not the API, not a script): a refusal it gets
    is a page in the person's language rather than JSON it would show raw."""
    if scope["path"].startswith("/api/"):
        return False
    return "text/html" in Headers(scope=scope).get("accept", "")


async def _send_error(scope: Scope, send: Send, status: int, code: str, message: str) -> None:
    if wants_page(scope) and "app" in scope:
        await _send_error_page(scope, send, status, code, message)
        return
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _send_error_page(scope: Scope, send: Send, status: int, code: str, message: str) -> None:
    error = DomainError(message, code=code)
    error.status = status
    request = Request(scope)
    response = render(request, "error.html", {"error": error}, status=status)

    async def nothing() -> Message:
        return {"type": "http.disconnect"}

    await response(scope, nothing, send)


async def resolve_context(
    scope: Scope, *, identify: Identify, settings: Settings
) -> dict[str, Any] | None:
    """Who is asking (session cookie or bearer token) and in which language, as the request's
    `state`: user (a `Principal`), via_token, locale, and credential: the kind and hash of the
    credential that identified them (a socket is closed when it ends). None for a bearer token
    that is not valid (the reader's language is set all the same, for the refusal).

    `identify` is the app's (toolbox.accounts.services.identify_with): this module knows
    credentials, not where people are stored."""
    headers = Headers(scope=scope)
    cookies = _cookies(headers.get("cookie"))
    default = settings.default_locale
    user: Principal | None = None
    via_token = False
    credential: tuple[CredentialKind, str] | None = None
    authorization = headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        via_token = True
        bearer = authorization[7:].strip()
        user = await identify("api_token", bearer)
        if user is None:
            i18n.set_locale(i18n.negotiate(headers.get("accept-language"), default))
            return None
        credential = ("api_token", hash_token(bearer))
    elif (cookie := cookies.get(SESSION_COOKIE)) and (
        token := unsigned(settings.secret_key, cookie)
    ):
        user = await identify("session", token)
        credential = ("session", hash_token(token)) if user else None
    locale = (
        (user.locale if user and user.locale else None)
        or (cookies.get(LOCALE_COOKIE) if cookies.get(LOCALE_COOKIE) in i18n.LOCALES else None)
        or i18n.negotiate(headers.get("accept-language"), default)
    )
    i18n.set_locale(locale)
    return {"user": user, "via_token": via_token, "locale": locale, "credential": credential}


class RequestContextMiddleware:
    """Resolves the signed-in user (session cookie or bearer token) and the reader's language."""

    def __init__(self, app: ASGIApp, *, identify: Identify, settings: Settings) -> None:
        self.app = app
        self.identify = identify
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"}:
            await self.app(scope, receive, send)
            return
        context = await resolve_context(scope, identify=self.identify, settings=self.settings)
        if context is None:
            await _send_error(
                scope, send, 401, "unauthorized", i18n.gettext("This API token is not valid.")
            )
            return
        scope.setdefault("state", {}).update(context)
        await self.app(scope, receive, send)


class SameOriginMiddleware:
    """Refuses a cross-site write made with the session cookie (CSRF).

    Browsers send `Origin` with every POST; a request with a bearer token carries no ambient
    credentials, so it needs no such check.
    """

    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        state = scope.get("state", {})
        headers = Headers(scope=scope)
        if not state.get("via_token") and not self._allowed(headers, scope):
            await _send_error(
                scope,
                send,
                403,
                "cross_origin",
                i18n.gettext("This form was sent from another site; it was refused."),
            )
            return
        await self.app(scope, receive, send)

    def _allowed(self, headers: Headers, scope: Scope) -> bool:
        origin = headers.get("origin")
        if origin is None:
            # No Origin: not a browser form (curl, a script) unless the fetch metadata says it
            # came from another site.
            return headers.get("sec-fetch-site", "same-origin") in {"same-origin", "none"}
        return same_origin(
            origin,
            host=headers.get("host"),
            scheme=scope.get("scheme", "http"),
            base_url=self.settings.base_url,
        )


class BodyLimitMiddleware:
    """Bodies over 1 MiB (50 MB for an uploaded export) get a 413 before they are read into
    memory."""

    def __init__(self, app: ASGIApp, *, upload_limit: int, limit: int = MAX_BODY) -> None:
        self.app = app
        self.limit = limit
        self.upload_limit = upload_limit + MULTIPART_MARGIN

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        upload = UPLOAD_PATH.match(scope["path"]) is not None
        limit = self.upload_limit if upload else self.limit
        too_large = _file_too_large_message if upload else _too_large_message
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _send_error(scope, send, 413, "too_large", too_large())
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(too_large())
            return message

        await self.app(scope, limited_receive, send)


class RetryWriteMiddleware:
    """A change that PostgreSQL rolled back to break a deadlock or a serialization failure is
    made once more, the whole request again, as `Database.transaction` does for one unit of
    work: the views open `Database.write()` themselves, so the request is the unit that can be
    replayed. Only while nothing was answered and nothing committed (a view that committed one
    change before the one that failed is not run twice). Failing again, it is a 409 with a
    sentence, never a 500.

    Uploads are left out: replaying one would mean keeping 50 MB in memory."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] in SAFE_METHODS
            or UPLOAD_PATH.match(scope["path"])
        ):
            await self.app(scope, receive, send)
            return
        received: list[Message] = []
        started = False

        async def recording_receive() -> Message:
            message = await receive()
            received.append(message)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        with counting_commits() as commits:
            try:
                await self.app(scope, recording_receive, watched_send)
                return
            except DBAPIError as error:
                if not is_retryable(error) or started or commits[0]:
                    raise
        replayed = iter(list(received))

        async def replaying_receive() -> Message:
            return next(replayed, None) or await receive()

        try:
            await self.app(scope, replaying_receive, watched_send)
        except DBAPIError as error:
            if not is_retryable(error) or started:
                raise
            message = i18n.gettext(
                "Someone changed the same thing at the same moment; please try again."
            )
            await _send_error(scope, send, 409, "conflict", message)


def _too_large_message() -> str:
    return i18n.gettext("The request is too large (1 MiB at most).")


def _file_too_large_message() -> str:
    return i18n.gettext("The file is too large (50 MB at most).")


def _cookies(header: str | None) -> dict[str, Any]:
    if not header:
        return {}
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except Exception:
        return {}
    return {key: morsel.value for key, morsel in jar.items()}
