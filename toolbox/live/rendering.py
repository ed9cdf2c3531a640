"""What `live/` asks of the domains, and the registry they fill in at start-up.

The hub knows no domain: for each event it asks the renderer registered for the event's type to
load what the HTML needs (once per event, for every audience), then asks that view for each
audience's fragment. The board also says how a websocket's caller becomes an audience, and what
a browser too far behind gets (the whole board). JSON needs no domain: it is the event itself,
trimmed by the declaration's audience rule (`toolbox.events.audience`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from starlette.requests import HTTPConnection

from toolbox import i18n, json_text
from toolbox.db import Database
from toolbox.events.audience import Audience, event_for_audience
from toolbox.events.types import Event, Refresh, parse


class LiveView(Protocol):
    """What one event changed, loaded from the database once; rendered per audience."""

    @property
    def involved(self) -> set[int]:
        """People who get a rendering of their own (their booking or session is in it)."""
        ...

    def render(self, audience: Audience, seq: int) -> str:
        """The update as a browser receives it, in the current locale: HTML fragments for
        htmx, or a small message of the domain's that its own script applies (a card move)."""
        ...


# Loads the view of `event` on board `board_id`, or None (nothing left to show).
ViewLoader = Callable[[Database, int, Event], Awaitable[LiveView | None]]
# Loads the whole board as it is now, for a browser too far behind to replay.
ResetLoader = Callable[[Database, int], Awaitable[LiveView | None]]


class Connecting(Protocol):
    """Who opens a board's socket and from which role they watch it, as plain values."""

    @property
    def board_id(self) -> int: ...

    @property
    def audience(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def user_id(self) -> int | None: ...


# Who the caller of a board's socket is there; raises `DomainError` if they may not watch it.
ConnectingResolver = Callable[[HTTPConnection, str], Awaitable[Connecting]]


@dataclass
class LiveRegistry:
    """Filled in by the app at start-up (`toolbox.app`) with each domain's live rendering:
    the domains do not import `toolbox.live`, the app hands their functions to it."""

    views: dict[str, ViewLoader] = field(default_factory=dict)
    reset: ResetLoader | None = None
    connecting: ConnectingResolver | None = None

    def register_views(self, events: Iterable[type[Event]], load: ViewLoader) -> None:
        for event in events:
            assert event.type not in self.views, f"{event.type} has two renderers"
            self.views[event.type] = load

    def register_reset(self, load: ResetLoader) -> None:
        self.reset = load

    def register_connecting(self, resolve: ConnectingResolver) -> None:
        self.connecting = resolve

    async def load_view(self, db: Database, document: dict[str, Any]) -> LiveView | None:
        """The view of an event as it travels on the bus, or None: it changes no fragment."""
        event = parse(document["type"], document["data"])
        if event is None or event.refreshes is Refresh.NOTHING:
            return None
        load = self.views.get(event.type)
        return await load(db, document["board_id"], event) if load else None

    async def load_reset(self, db: Database, board_id: int) -> LiveView | None:
        return await self.reset(db, board_id) if self.reset else None

    async def who_is_connecting(self, connection: HTTPConnection, slug: str) -> Connecting:
        assert self.connecting is not None, "the board registers who may open its socket"
        return await self.connecting(connection, slug)


def audience_for(audience: Audience, user_id: int | None, view: LiveView | None) -> Audience:
    """Facilitators see every detail as a role; an expert or participant sees details only of
    their own sessions and bookings, so for a change to those they get a rendering of their own
    (`user_id` set). Everyone else shares their role's."""
    if view is None or user_id is None or audience.is_facilitator or user_id not in view.involved:
        return audience
    return Audience(audience.role, audience.locale, user_id)


def render_json(event: dict[str, Any], audience: Audience) -> str | None:
    visible = event_for_audience(event, audience.role)
    if visible is None:
        return None
    return json_text.dump_text(visible)


def render_html(event: dict[str, Any], audience: Audience, view: LiveView | None) -> str | None:
    if view is None or event_for_audience(event, audience.role) is None:
        return None
    with i18n.use_locale(audience.locale):
        return view.render(audience, event["seq"])


def render_reset_html(audience: Audience, view: LiveView, seq: int) -> str:
    with i18n.use_locale(audience.locale):
        return view.render(audience, seq)
