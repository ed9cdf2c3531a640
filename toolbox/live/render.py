"""Turning one event into what each audience receives: JSON, or HTML fragments for htmx.

HTML reuses the board's own partials (`_column.html`, `_card.html`, `_columns.html`), so a live
update cannot drift from the first render. A fragment shows the state the database has when it
is rendered, which is at least as new as the event: every client converges on the database.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from toolbox import i18n
from toolbox.board.models import Board, BoardColumn, Card
from toolbox.db import Database
from toolbox.i18n import gettext as _
from toolbox.live.audience import Audience, event_for_audience
from toolbox.live.brigade_render import BrigadeState, load_brigade_state, slot_announcement
from toolbox.templating import render_fragment

# Events after which the column order or the set of columns changed: the whole board is sent.
WHOLE_BOARD_EVENTS = frozenset(
    {
        "board.updated",
        "board.imported",
        "column.created",
        "column.moved",
        "column.archived",
        "column.restored",
    }
)
CARD_EVENTS_BY_COLUMN = frozenset({"card.created", "card.moved", "card.archived", "card.restored"})


@dataclass
class BoardState:
    """What the HTML of one event needs from the database, read once for every audience."""

    board: Board
    columns: list[BoardColumn]
    cards: dict[int, list[Card]] = field(default_factory=dict)
    changed_columns: list[BoardColumn] = field(default_factory=list)
    changed_cards: list[Card] = field(default_factory=list)
    whole_board: bool = False
    brigade: BrigadeState | None = None

    @property
    def involved(self) -> set[int]:
        """People who get their own rendering: their booking or their session is in it."""
        return self.brigade.involved if self.brigade else set()


def needs_html(event: dict[str, Any]) -> bool:
    kind: str = event["type"]
    return kind.startswith(("card.", "column.", "board.", "slot."))


async def load_whole_board(db: Database, board_id: int) -> BoardState | None:
    return await load_state(db, {"type": "board.updated", "board_id": board_id, "data": {}})


async def load_state(db: Database, event: dict[str, Any]) -> BoardState | None:
    kind: str = event["type"]
    data: dict[str, Any] = event["data"]
    async with db.read() as session:
        board = await session.get(Board, event["board_id"])
        if board is None:
            return None
        if kind.startswith("slot."):
            brigade = await load_brigade_state(
                session, board, None if kind == "slot.created" else data["slot"]["id"]
            )
            return BoardState(board=board, columns=[], brigade=brigade)
        columns = list(
            await session.scalars(
                select(BoardColumn)
                .where(BoardColumn.board_id == board.id, BoardColumn.archived_at.is_(None))
                .order_by(BoardColumn.position, BoardColumn.id)
            )
        )
        state = BoardState(board=board, columns=columns)
        wanted: set[int | None]
        if kind in WHOLE_BOARD_EVENTS:
            state.whole_board = True
            wanted = {column.id for column in columns}
        elif kind in CARD_EVENTS_BY_COLUMN:
            wanted = {
                data.get("column_id") or data.get("card", {}).get("column_id"),
                data.get("from_column_id"),
            }
        elif kind == "column.updated":
            wanted = {data["column"]["id"]}
        else:
            wanted = set()
        state.changed_columns = [column for column in columns if column.id in wanted]
        if wanted:
            cards = await session.scalars(
                select(Card)
                .where(Card.column_id.in_([c for c in wanted if c]), Card.archived_at.is_(None))
                .order_by(Card.position, Card.id)
            )
            for card in cards:
                state.cards.setdefault(card.column_id, []).append(card)
        if kind == "card.updated":
            updated = await session.get(Card, data["card"]["id"])
            if updated is not None and updated.archived_at is None:
                state.changed_cards = [updated]
        return state


def announcement(event: dict[str, Any], board: Board) -> str:
    """The sentence a screen reader says about a change someone else made."""
    data = event["data"]
    if event["type"].startswith("slot."):
        return slot_announcement(event, board)
    name = data.get("by") or _("someone")
    title = (
        data.get("title")
        or data.get("card", {}).get("title")
        or data.get("column", {}).get("title", "")
    )
    sentences = {
        "card.created": _("Card “%(title)s” added by %(name)s", title=title, name=name),
        "card.updated": _("Card “%(title)s” updated by %(name)s", title=title, name=name),
        "card.moved": _(
            "Card “%(title)s” moved to %(column)s by %(name)s",
            title=title,
            column=data.get("column_title", ""),
            name=name,
        ),
        "card.archived": _("Card “%(title)s” archived by %(name)s", title=title, name=name),
        "card.restored": _("Card “%(title)s” restored by %(name)s", title=title, name=name),
        "column.created": _("Column “%(title)s” added by %(name)s", title=title, name=name),
        "column.updated": _("Column “%(title)s” updated by %(name)s", title=title, name=name),
        "column.moved": _("Column “%(title)s” moved by %(name)s", title=title, name=name),
        "column.archived": _("Column “%(title)s” archived by %(name)s", title=title, name=name),
        "column.restored": _("Column “%(title)s” restored by %(name)s", title=title, name=name),
    }
    return sentences.get(event["type"], "")


def render_json(event: dict[str, Any], audience: Audience) -> str | None:
    visible = event_for_audience(event, audience.role)
    if visible is None:
        return None
    return json.dumps(visible, ensure_ascii=False, separators=(",", ":"))


def render_html(event: dict[str, Any], audience: Audience, state: BoardState | None) -> str | None:
    if state is None or event_for_audience(event, audience.role) is None:
        return None
    with i18n.use_locale(audience.locale):
        return _render_update(
            audience, state, seq=event["seq"], announcement=announcement(event, state.board)
        )


def render_reset_html(audience: Audience, state: BoardState, seq: int) -> str:
    """For a browser too far behind: the whole board as it is now."""
    with i18n.use_locale(audience.locale):
        return _render_update(audience, state, seq=seq, announcement="")


def _render_update(audience: Audience, state: BoardState, *, seq: int, announcement: str) -> str:
    return render_fragment(
        "live/_update.html",
        access=audience,
        board=state.board,
        columns=state.columns,
        cards=state.cards,
        column_positions={column.id: n for n, column in enumerate(state.columns, 1)},
        whole_board=state.whole_board,
        changed_columns=state.changed_columns,
        changed_cards=state.changed_cards,
        brigade=state.brigade,
        announcement=announcement,
        seq=seq,
    )
