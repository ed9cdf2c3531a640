"""What every view needs from a request, and how an error becomes a response."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from toolbox import i18n, json_text
from toolbox.db import Database
from toolbox.errors import DomainError, NotFound, NotSignedIn
from toolbox.http_cache import BODY_TAG
from toolbox.principal import Principal
from toolbox.renderings import Document, Renderings, SharedPage
from toolbox.settings import Settings
from toolbox.templating import address_bar, render, render_personal
from toolbox.urls import url_path
from toolbox.validation import DB_INT_MAX


def database(connection: HTTPConnection) -> Database:
    db: Database = connection.app.state.db
    return db


def settings(connection: HTTPConnection) -> Settings:
    value: Settings = connection.app.state.settings
    return value


def current_user(connection: HTTPConnection) -> Principal | None:
    """Who is asking, as the middleware read them (toolbox.middleware.resolve_context)."""
    user: Principal | None = connection.scope.get("state", {}).get("user")
    return user


def signed_in_user(connection: HTTPConnection) -> Principal:
    """Who is asking, for what only someone signed in may do (a visitor is sent to sign in)."""
    user = current_user(connection)
    if user is None:
        raise NotSignedIn(i18n.gettext("Sign in to do this."))
    return user


def renderings(connection: HTTPConnection) -> Renderings:
    kept: Renderings = connection.app.state.renderings
    return kept


def shared_page_response(request: Request, page: SharedPage) -> Response:
    """A page kept for its audience, with the asker's account menu in its place. Its tag is
    known before any byte is joined, so a revalidating browser gets its 304 from
    `toolbox.http_cache` (which also says how long and for whom it may be kept)."""
    body, etag = page.compose(render_personal(request))
    request.scope[BODY_TAG] = etag
    headers = {"ETag": etag, **address_bar(request)}
    return Response(body, media_type="text/html; charset=utf-8", headers=headers)


def document_response(request: Request, document: Document) -> Response:
    """A JSON document kept for its audience, revalidated as `shared_page_response` is; its
    body also depends on the bearer token, if any."""
    headers = {"ETag": document.etag, "Vary": "Authorization"}
    request.scope[BODY_TAG] = document.etag
    return Response(document.body, media_type="application/json", headers=headers)


def json_document(document: Any) -> Document:
    """A JSON document as `json_response` writes it, to be kept."""
    return Document.of(json_text.dump_bytes(document))


def is_api(connection: HTTPConnection) -> bool:
    path: str = connection.scope["path"]  # not `.url`: building it costs more than the check
    return path.startswith("/api/")


def see_other(url: str) -> RedirectResponse:
    """303 after a change, so reloading the next page does not send the form again."""
    return RedirectResponse(url, status_code=303)


def int_param(value: str, *, field: str = "id", maximum: int = DB_INT_MAX) -> int:
    # Past the database's INTEGER no row can match, and the driver would refuse it (a 500).
    if not value.isdigit() or len(value) > 18 or int(value) > maximum:
        raise NotFound(i18n.gettext("There is nothing at this address."), field=field)
    return int(value)


async def form_fields(request: Request, multiple: frozenset[str] = frozenset()) -> dict[str, Any]:
    """A form's fields as a dict; fields in `multiple` (checkboxes) become lists."""
    form = await request.form()
    fields: dict[str, Any] = {}
    for key in form:
        values = [v for v in form.getlist(key) if isinstance(v, str)]
        fields[key] = values if key in multiple else (values[-1] if values else "")
    return fields


async def json_body(request: Request) -> bytes:
    return await request.body()


def json_response(document: Any, status: int = 200) -> Response:
    return Response(
        json_text.dump_bytes(document),
        status_code=status,
        media_type="application/json",
    )


def error_document(error: DomainError) -> dict[str, Any]:
    body: dict[str, Any] = {"code": error.code, "message": error.message}
    if error.field:
        body["field"] = error.field
    return {"error": body}


async def handle_domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    if is_api(request):
        document = error_document(exc)
        if isinstance(exc.current, dict):
            document["current"] = exc.current
        return JSONResponse(document, status_code=exc.status)
    if exc.status == 401:
        return see_other(url_path("login") + f"?next={quote(request.url.path)}")
    return render(request, "error.html", {"error": exc}, status=exc.status)


async def handle_http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own errors (unknown URL, wrong method) in the same shapes as ours."""
    assert isinstance(exc, HTTPException)
    messages = {
        404: i18n.gettext("There is nothing at this address."),
        405: i18n.gettext("This address does not accept this kind of request."),
    }
    message = messages.get(exc.status_code, i18n.gettext("This request could not be handled."))
    error = DomainError(message, code="not_found" if exc.status_code == 404 else "bad_request")
    error.status = exc.status_code
    if is_api(request):
        return JSONResponse(error_document(error), status_code=exc.status_code)
    return render(request, "error.html", {"error": error}, status=exc.status_code)
