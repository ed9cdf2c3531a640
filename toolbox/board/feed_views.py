"""`/b/{slug}/feed.atom`: the board's Atom feed, kept per change like the board's pages."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from toolbox.accounts.private_links import user_for_private_token
from toolbox.board.access import BoardAccess, board_access
from toolbox.board.feed import MEDIA_TYPE, board_feed
from toolbox.board.shared import kept_rendering
from toolbox.errors import NotFound
from toolbox.i18n import current_locale, use_locale
from toolbox.i18n import gettext as _
from toolbox.renderings import Document
from toolbox.urls import absolute_url
from toolbox.web import database, document_response, settings


async def feed(request: Request) -> Response:
    """A public board's feed for anyone, kept per change; a members-only board's for the
    session's person, or with a member's private feed token (`?token=`, listed on /me), made
    for that request (feed readers come back every few minutes, not a room at once)."""
    config = settings(request)
    slug = request.path_params["slug"]
    token = request.query_params.get("token")
    self_url = absolute_url(config.base_url, "board_feed", slug=slug)

    async def render(session: AsyncSession, access: BoardAccess) -> Document:
        body = await board_feed(session, access, base_url=config.base_url, self_url=self_url)
        return Document.of(body)

    if token is None:
        response = document_response(request, await kept_rendering(request, "feed", render))
        response.headers["Content-Type"] = MEDIA_TYPE
        return response
    async with database(request).read() as session:
        owner = await user_for_private_token(session, config.secret_key, token, "feed")
        if owner is None:
            raise NotFound(_("This feed link is not valid: it may have been replaced."))
        self_url += f"?token={token}"
        # Feed readers send no useful Accept-Language: the feed speaks its owner's language.
        with use_locale(owner.locale or current_locale()):
            access = await board_access(session, slug, owner)
            document = await render(session, access)
    headers = {"Cache-Control": "private, no-cache", "X-Robots-Tag": "noindex"}
    return Response(document.body, media_type=MEDIA_TYPE, headers=headers)
