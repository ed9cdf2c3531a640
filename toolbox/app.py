"""The application factory: settings, database, middleware, routes, error pages, lifespan."""

from __future__ import annotations

import functools
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.types import Receive, Scope, Send

from toolbox import templating
from toolbox.accounts.services import identify_with
from toolbox.accounts.throttle import LoginThrottle, MailThrottle
from toolbox.anonymous import AnonymousAnswers
from toolbox.board import jinja as board_jinja
from toolbox.board import live as board_live
from toolbox.board_clock import BoardClock
from toolbox.brigade import jinja as brigade_jinja
from toolbox.brigade import live as brigade_live
from toolbox.brigade.notify import Notifier
from toolbox.compression import CompressionMiddleware
from toolbox.db import Database
from toolbox.errors import DomainError
from toolbox.http_cache import ConditionalGetMiddleware
from toolbox.live.bus import create_bus
from toolbox.live.hub import Hub
from toolbox.live.notices import Notices
from toolbox.live.publish import publish_events
from toolbox.live.rendering import LiveRegistry
from toolbox.live.socket import serve_board_socket, socket_slug
from toolbox.live.socket_count import socket_count
from toolbox.mail.sender import MailSender
from toolbox.middleware import (
    BodyLimitMiddleware,
    RequestContextMiddleware,
    RetryWriteMiddleware,
    SameOriginMiddleware,
    SecurityHeadersMiddleware,
)
from toolbox.renderings import Renderings
from toolbox.routes import routes
from toolbox.settings import Settings
from toolbox.transfer.files import MAX_FILE_BYTES
from toolbox.urls import use_router
from toolbox.web import handle_domain_error, handle_http_error

ROOT = Path(__file__).resolve().parent.parent
STATIC_DIR = ROOT / "static"
VENDOR_FILES = ("htmx.min.js", "ws.min.js", "Sortable.min.js")


class ToolboxApp(Starlette):
    """Starlette, except for two ways in before the middleware and the router: a board's
    websocket goes straight to its handler (why: `toolbox.live.socket`), and a request from
    someone not signed in may get a whole answer kept for the board's latest seq
    (`toolbox.anonymous`). Everything else takes the usual way."""

    anonymous: AnonymousAnswers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            if keyed := self.anonymous.key(scope):
                key, if_none_match = keyed
                if await self.anonymous.answer(key, if_none_match, send):
                    return
                send = self.anonymous.recording(key, scope, send)
        elif scope["type"] == "websocket" and (slug := socket_slug(scope["path"])):
            await serve_board_socket(self, slug, scope, receive, send)
            return
        await super().__call__(scope, receive, send)


class MissingAssets(RuntimeError):
    pass


def check_assets(static_dir: Path = STATIC_DIR) -> None:
    """Refuse to start without the front-end libraries, rather than serve a board that is dead."""
    missing = [name for name in VENDOR_FILES if not (static_dir / "vendor" / name).exists()]
    if missing:
        raise MissingAssets(
            f"Front-end files missing from {static_dir / 'vendor'}: {', '.join(missing)}. "
            "Run `make assets` (npm ci, then copy them) and start again."
        )


def live_rendering() -> LiveRegistry:
    """Each domain's live rendering, handed to the hub: `toolbox.live` imports no domain."""
    live = LiveRegistry()
    live.register_views(board_live.EVENTS, board_live.load_view)
    live.register_views(board_live.MOVES, board_live.load_move)
    live.register_views(brigade_live.EVENTS, brigade_live.load_view)
    live.register_reset(board_live.load_whole_board)
    live.register_connecting(board_live.who_is_connecting)
    return live


def create_app(settings: Settings | None = None) -> ToolboxApp:
    settings = settings or Settings.from_env()
    check_assets()
    templating.register_filters(**board_jinja.FILTERS)
    templating.register_filters(**brigade_jinja.FILTERS)
    db = Database(
        settings.database_url,
        sqlite_inline=settings.sqlite_inline,
        pool_size=settings.database_pool_size,
    )
    # Who is asking, for the middleware and the websocket endpoint (neither imports accounts).
    identify = identify_with(db)
    # The one Notifier: every entry point (form, API) hands it to the brigade's services.
    notifier = Notifier(base_url=settings.base_url, default_locale=settings.default_locale)
    bus = create_bus(settings.broadcast_url)
    # Each board's latest seq, as the bus tells every process (toolbox.board_clock), and the
    # boards' pages and documents kept per seq (toolbox.renderings).
    clock = BoardClock(settings.seq_trust_seconds)
    renderings = Renderings(clock)
    notices = Notices(bus, clock, identify)
    identify.announce = notices.credential_ended
    hub = Hub(db, bus, live_rendering(), notices)
    sockets = socket_count(settings.broadcast_url)
    db.publish = functools.partial(publish_events, bus, notices)
    mailer = MailSender(db, settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await hub.start()
        await sockets.start()
        mailer.start()
        try:
            # Everything loaded at start-up lives as long as the process: keep it out of the
            # collector's full passes, whose pauses would otherwise delay a whole fan-out.
            gc.freeze()
            yield
        finally:
            await mailer.stop()
            await sockets.close()
            await hub.stop()
            await db.dispose()

    app = ToolboxApp(
        routes=routes(str(STATIC_DIR)),
        # Outermost first. The conditional GET sits inside the compression, so that its ETag is
        # the uncompressed body's and a 304 costs no gzip; it reads who is asking (private or
        # not), so it comes after the request context.
        middleware=[
            Middleware(SecurityHeadersMiddleware, settings=settings),
            Middleware(CompressionMiddleware, skip_prefixes=("/static/", "/favicon.ico")),
            Middleware(RequestContextMiddleware, identify=identify, settings=settings),
            Middleware(ConditionalGetMiddleware),
            Middleware(BodyLimitMiddleware, upload_limit=MAX_FILE_BYTES),
            Middleware(SameOriginMiddleware, settings=settings),
            Middleware(RetryWriteMiddleware),
        ],
        exception_handlers={DomainError: handle_domain_error, HTTPException: handle_http_error},
        lifespan=lifespan,
    )
    # Templates rendered by the hub and messages written by the mailer build URLs too, outside
    # any request: they ask this router (`toolbox.urls`).
    use_router(app.router)
    app.anonymous = AnonymousAnswers(clock)
    app.state.db = db
    app.state.identify = identify
    app.state.notifier = notifier
    app.state.hub = hub
    app.state.socket_count = sockets
    app.state.renderings = renderings
    app.state.clock = clock
    app.state.mailer = mailer
    app.state.login_throttle = LoginThrottle(settings.broadcast_url)
    app.state.mail_throttle = MailThrottle(settings.broadcast_url)
    app.state.settings = settings
    return app
