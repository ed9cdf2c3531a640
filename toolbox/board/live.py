"""The board's live rendering: what a change to its columns and cards shows to those watching.

HTML reuses the board's own partials (`_column.html`, `_card.html`, `_columns.html`), so a live
update cannot drift from the first render. A fragment shows the state the database has when it
is rendered, which is at least as new as the event: every client converges on the database.
What each event refreshes is its declaration's to say (`toolbox.events.types`).

The app registers these functions with the live hub (`toolbox.app`); the board does not import
`toolbox.live`, whose protocols (`LiveView`, `Connecting`) these values fit by their shape.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from sqlalchemy import select
from starlette.requests import HTTPConnection

from toolbox import json_text
from toolbox.board.access import board_access
from toolbox.board.models import Board, BoardColumn, Card
from toolbox.db import Database
from toolbox.events.audience import Audience
from toolbox.events.types import (
    EVENT_TYPES,
    CardArchived,
    CardCreated,
    CardMoved,
    CardRestored,
    CardUpdated,
    CardUseful,
    ColumnArchived,
    ColumnCreated,
    ColumnMoved,
    ColumnRestored,
    ColumnUpdated,
    Event,
    LabelCreated,
    LabelDeleted,
    LabelUpdated,
    Refresh,
    SuggestionAccepted,
    SuggestionCreated,
    SuggestionDeclined,
    SuggestionEvent,
)
from toolbox.i18n import gettext as _
from toolbox.i18n import ngettext
from toolbox.templating import render_fragment
from toolbox.web import current_user, database

BOARD_REFRESHES = (Refresh.WHOLE_BOARD, Refresh.COLUMNS, Refresh.CARD, Refresh.SUGGESTIONS)
# A card move travels as the move itself (`MoveView`), not as its two columns redrawn.
MOVES: tuple[type[Event], ...] = (CardMoved,)
# The events whose fragments the board renders (the brigade renders the slots').
EVENTS = tuple(
    kind for kind in EVENT_TYPES.values() if kind.refreshes in BOARD_REFRESHES and kind not in MOVES
)
#: The most a move's message may weigh, in bytes: what a room of phones receives at each move.
MOVE_BYTES = 512
# How far the titles in a move's sentence are shortened, in turn, until the message fits.
_SENTENCE_LIMITS = (None, 60, 30, 12)


@dataclass
class BoardView:
    """What the HTML of one event needs from the database, read once for every audience."""

    board: Board
    columns: list[BoardColumn]
    event: Event | None = None  # None: the whole board, for a browser that was too far behind
    cards: dict[int, list[Card]] = field(default_factory=dict)
    changed_columns: list[BoardColumn] = field(default_factory=list)
    changed_cards: list[Card] = field(default_factory=list)
    whole_board: bool = False
    #: How many suggestions wait, after a suggestion event (rendered for facilitators only).
    suggestions_pending: int | None = None

    @property
    def involved(self) -> set[int]:
        return set()  # the board's fragments are the same for everyone in a role

    def render(self, audience: Audience, seq: int) -> str:
        return render_fragment(
            "live/_update.html",
            access=audience,
            board=self.board,
            columns=self.columns,
            cards=self.cards,
            whole_board=self.whole_board,
            suggestions_pending=self.suggestions_pending,
            changed_columns=self.changed_columns,
            changed_cards=self.changed_cards,
            brigade=None,
            announcement=announcement(self.event) if self.event else "",
            seq=seq,
        )


@dataclass(frozen=True)
class MoveView:
    """A card move as a browser applies it (static/board.js): the card, where it went, and the
    check of both columns' order once moved, with the sentence a screen reader says. Made from
    the event alone, without the database: every card the browser shows is already on its page,
    and a browser whose page had drifted reads the column again (`column_fragment`)."""

    event: CardMoved

    @property
    def involved(self) -> set[int]:
        return set()

    def render(self, audience: Audience, seq: int) -> str:
        event = self.event
        move = {
            "card": event.card_id,
            "from": event.from_column_id,
            "to": event.column_id,
            "index": event.index,
            "order": event.order,
            "from_order": event.from_order,
        }
        for limit in _SENTENCE_LIMITS:
            message = json_text.dump_text(
                {"seq": seq, "move": move, "say": announcement(_shortened(event, limit))}
            )
            if len(message.encode()) <= MOVE_BYTES:
                break
        return message


def _shortened(event: CardMoved, limit: int | None) -> CardMoved:
    """The event with its titles and author cut to `limit` characters (None: as they are), so
    that long titles do not make every move weigh more than `MOVE_BYTES`."""
    if limit is None:
        return event

    def cut(text: str) -> str:
        return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"

    return dataclasses.replace(
        event, title=cut(event.title), column_title=cut(event.column_title), by=cut(event.by)
    )


async def load_move(db: Database, board_id: int, event: Event) -> MoveView | None:
    return MoveView(event) if isinstance(event, CardMoved) else None


async def load_whole_board(db: Database, board_id: int) -> BoardView | None:
    return await _load(db, board_id, None, Refresh.WHOLE_BOARD)


async def load_view(db: Database, board_id: int, event: Event) -> BoardView | None:
    return await _load(db, board_id, event, event.refreshes)


async def _load(
    db: Database, board_id: int, event: Event | None, refresh: Refresh
) -> BoardView | None:
    async with db.read() as session:
        board = await session.get(Board, board_id)
        if board is None:
            return None
        columns = list(
            await session.scalars(
                select(BoardColumn)
                .where(BoardColumn.board_id == board.id, BoardColumn.archived_at.is_(None))
                .order_by(BoardColumn.position, BoardColumn.id)
            )
        )
        view = BoardView(board=board, columns=columns, event=event)
        if isinstance(event, SuggestionEvent):
            view.suggestions_pending = event.pending
            return view
        wanted: set[int] = set()
        if refresh is Refresh.WHOLE_BOARD:
            view.whole_board = True
            wanted = {column.id for column in columns}
        elif refresh is Refresh.COLUMNS and event is not None:
            wanted = event.column_ids
        view.changed_columns = [column for column in columns if column.id in wanted]
        if wanted:
            cards = await session.scalars(
                select(Card)
                .where(Card.column_id.in_(wanted), Card.archived_at.is_(None))
                .order_by(Card.position, Card.id)
            )
            for card in cards:
                view.cards.setdefault(card.column_id, []).append(card)
        shown = event.shown_card_id if refresh is Refresh.CARD and event is not None else None
        if shown is not None:
            updated = await session.get(Card, shown)
            if updated is not None and updated.archived_at is None:
                view.changed_cards = [updated]
        return view


def announcement(event: Event) -> str:
    """The sentence a screen reader says about a change someone else made."""
    name = event.author or _("someone")
    title = event.subject
    match event:
        case CardCreated():
            return _("Card “%(title)s” added by %(name)s", title=title, name=name)
        case CardUpdated():
            return _("Card “%(title)s” updated by %(name)s", title=title, name=name)
        case CardMoved():
            return _(
                "Card “%(title)s” moved to %(column)s by %(name)s",
                title=title,
                column=event.column_title,
                name=name,
            )
        case CardArchived():
            return _("Card “%(title)s” archived by %(name)s", title=title, name=name)
        case CardRestored():
            return _("Card “%(title)s” restored by %(name)s", title=title, name=name)
        case CardUseful():
            return ngettext(
                "“%(title)s”: %(count)s person finds it useful",
                "“%(title)s”: %(count)s people find it useful",
                event.useful,
                title=title,
                count=event.useful,
            )
        case SuggestionCreated():
            return _("New suggestion from %(name)s: “%(title)s”", title=title, name=name)
        case SuggestionAccepted():
            return _("Suggestion “%(title)s” accepted by %(name)s", title=title, name=name)
        case SuggestionDeclined():
            return _("Suggestion “%(title)s” declined by %(name)s", title=title, name=name)
        case ColumnCreated():
            return _("Column “%(title)s” added by %(name)s", title=title, name=name)
        case ColumnUpdated():
            return _("Column “%(title)s” updated by %(name)s", title=title, name=name)
        case ColumnMoved():
            return _("Column “%(title)s” moved by %(name)s", title=title, name=name)
        case ColumnArchived():
            return _("Column “%(title)s” archived by %(name)s", title=title, name=name)
        case ColumnRestored():
            return _("Column “%(title)s” restored by %(name)s", title=title, name=name)
        case LabelCreated():
            return _("Label “%(title)s” added by %(name)s", title=title, name=name)
        case LabelUpdated():
            return _("Label “%(title)s” changed by %(name)s", title=title, name=name)
        case LabelDeleted():
            return _("Label “%(title)s” deleted by %(name)s", title=title, name=name)
    return ""


@dataclass(frozen=True)
class Watcher:
    """Who opens the board's socket, as plain values: a connection lives for hours, and holding
    the ORM objects (and with them the closed session) would cost every idle client kilobytes."""

    board_id: int
    audience: str
    name: str
    user_id: int | None


async def who_is_connecting(connection: HTTPConnection, slug: str) -> Watcher:
    """The board and the role from which the caller watches it; raises if they may not."""
    async with database(connection).read() as session:
        access = await board_access(session, slug, current_user(connection))
        return Watcher(access.board.id, access.audience, access.actor_name, access.user_id)
