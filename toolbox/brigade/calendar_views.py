"""The two calendar addresses: one booking's .ics, and a person's private feed."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from toolbox.brigade.calendar import booking_calendar, feed_calendar, user_for_calendar_token
from toolbox.errors import NotFound, NotSignedIn
from toolbox.i18n import gettext as _
from toolbox.i18n import use_locale
from toolbox.web import current_user, database, int_param, settings

CALENDAR_TYPE = "text/calendar; charset=utf-8"


def calendar_response(document: bytes, *, filename: str | None = None) -> Response:
    headers = {
        # Private to the person (or to whoever holds the secret link): no shared cache keeps it.
        "Cache-Control": "private, no-store",
        "X-Robots-Tag": "noindex",
    }
    if filename:
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return Response(document, headers=headers, media_type=CALENDAR_TYPE)


async def booking_ics(request: Request) -> Response:
    """GET /bookings/{id}.ics"""
    user = current_user(request)
    if user is None:
        raise NotSignedIn(_("Sign in to get this calendar file."))
    booking_id = int_param(request.path_params["id"])
    async with database(request).read() as session:
        document = await booking_calendar(
            session, user, booking_id, base_url=settings(request).base_url
        )
    return calendar_response(document, filename=f"booking-{booking_id}.ics")


async def calendar_feed(request: Request) -> Response:
    """GET /calendar/{token}.ics: the link itself is the credential (calendar apps sign in to
    nothing), so an unknown or revoked link is simply not there."""
    config = settings(request)
    async with database(request).read() as session:
        user = await user_for_calendar_token(
            session, config.secret_key, request.path_params["token"]
        )
        if user is None:
            raise NotFound(_("This calendar link is not valid: it may have been replaced."))
        # Calendar apps send no useful Accept-Language: the feed speaks its owner's language.
        with use_locale(user.locale or config.default_locale):
            document = await feed_calendar(session, user, base_url=config.base_url)
    return calendar_response(document)
