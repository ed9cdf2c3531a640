"""`/b/{slug}/feed.atom`: the board's Atom feed, kept per change like the board's pages."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from toolbox.accounts.private_links import user_for_private_token
from toolbox.board.access import BoardAccess
from toolbox.board.feed import MEDIA_TYPE, board_feed
from toolbox.board.shared import kept_rendering
from toolbox.errors import NotFound
from toolbox.i18n import current_locale, use_locale
from toolbox.i18n import gettext as _
from toolbox.principal import Actor
from toolbox.renderings import Document
from toolbox.urls import absolute_url
from toolbox.web import current_user, database, document_response, renderings, settings


async def feed(request: Request) -> Response:
    """A public board's feed for anyone; a members-only board's for the session's person or
    with a member's private feed token (`?token=`, listed on /me)."""
    config = settings(request)
    slug = request.path_params["slug"]
    token = request.query_params.get("token")
    user: Actor | None = current_user(request)
    locale = None
    if token is not None:
        async with database(request).read() as session:
            owner = await user_for_private_token(session, config.secret_key, token, "feed")
        if owner is None:
            raise NotFound(_("This feed link is not valid: it may have been replaced."))
        # Feed readers send no useful Accept-Language: the feed speaks its owner's language.
        user, locale = owner, owner.locale
    self_url = absolute_url(config.base_url, "board_feed", slug=slug)
    if token is not None:
        self_url += f"?token={token}"

    async def render(session: AsyncSession, access: BoardAccess) -> Document:
        body = await board_feed(session, access, base_url=config.base_url, self_url=self_url)
        return Document.of(body)

    with use_locale(locale or current_locale()):
        document = await kept_rendering(
            database(request), renderings(request), slug, user, ("feed", token), render
        )
    response = document_response(request, document)
    response.headers["Content-Type"] = MEDIA_TYPE
    if token is not None:
        response.headers["X-Robots-Tag"] = "noindex"
    return response
