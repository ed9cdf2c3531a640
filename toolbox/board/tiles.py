"""The cards as the board page shows them: small read models from two Core reads.

A board page shows each card's title, kind, languages and labels, hundreds of times: loading
them as ORM instances (identity map, attribute instrumentation, the labels' relationship) was
about half of an uncached render. Changes never go through these; they load the `Card`.
"""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from typing import NamedTuple

from sqlalchemy import String, bindparam, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from toolbox.board.models import Board, Card, Kind, Label, card_labels
from toolbox.db import all_rows


# Named tuples rather than dataclasses: a card's HTML is kept under its tile, and a tuple's
# hash and equality run in C, where a dataclass's run Python code per field.
class LabelTile(NamedTuple):
    name: str
    colour: str


class CardTile(NamedTuple):
    """What `templates/board/_card.html` reads of a card, and nothing else: hashable, as the
    card's HTML is kept under it (`toolbox.board.jinja.card_html`)."""

    id: int
    column_id: int
    title: str
    kind: Kind
    languages: tuple[str, ...]
    labels: tuple[LabelTile, ...]
    #: How many people marked it useful (part of the key its HTML is kept under).
    useful: int
    audiences: tuple[str, ...]


# Built once: building a statement costs more than running it. The kind and the languages come
# as the text stored (`type_coerce`): their columns' own conversions (an Enum's check, a JSON
# parse) ran once per card and were most of the read; here each distinct value is converted
# once (`_kind`, `_languages`), and a board has a handful of them.
_TILES = (
    select(
        Card.id,
        Card.column_id,
        Card.title,
        type_coerce(Card.kind, String),
        type_coerce(Card.languages, String),
        Card.useful,
        type_coerce(Card.audiences, String),
    )
    .where(Card.board_id == bindparam("board_id"), Card.archived_at.is_(None))
    .order_by(Card.position, Card.id)
)
# The board's labels (a few), then which card has which (numbers only: hundreds of rows).
_BOARD_LABELS = (
    select(Label.id, Label.name, Label.colour)
    .where(Label.board_id == bindparam("board_id"))
    .order_by(Label.name)
)
_CARD_LABELS = (
    select(card_labels.c.card_id, card_labels.c.label_id)
    .join(Label, Label.id == card_labels.c.label_id)
    .where(Label.board_id == bindparam("board_id"))
    .order_by(Label.name)
)


_KINDS = {kind.name: kind for kind in Kind}


def _languages(stored: str | list[str] | None) -> tuple[str, ...]:
    """A JSON list of words as stored (languages, audiences): asyncpg hands a JSON column over
    decoded; SQLite as its text."""
    if isinstance(stored, list):
        return tuple(stored)
    return _parsed_languages(stored) if stored else ()


@functools.lru_cache(maxsize=1024)
def _parsed_languages(stored: str) -> tuple[str, ...]:
    return tuple(json.loads(stored))


async def card_tiles(
    session: AsyncSession, board: Board, *, order: str = ""
) -> dict[int, list[CardTile]]:
    """The board's open cards, grouped by column, each group in board order (as
    `services.cards_by_column`), or the most useful first (`order="useful"`), or the newest
    (`"newest"`), with their labels in name order."""
    parameters = {"board_id": board.id}
    board_labels = {
        label_id: LabelTile(name, colour)
        for label_id, name, colour in await all_rows(session, _BOARD_LABELS, parameters)
    }
    label_ids: dict[int, list[int]] = defaultdict(list)
    for card_id, label_id in await all_rows(session, _CARD_LABELS, parameters):
        label_ids[card_id].append(label_id)
    # Cards share a few sets of labels: each set made once, one tuple for all its cards.
    label_sets: dict[tuple[int, ...], tuple[LabelTile, ...]] = {(): ()}
    grouped: dict[int, list[CardTile]] = defaultdict(list)
    rows = await all_rows(session, _TILES, parameters)
    for card_id, column_id, title, kind, languages, useful, audiences in rows:
        ids = tuple(label_ids.get(card_id, ()))
        labels = label_sets.get(ids)
        if labels is None:
            labels = label_sets[ids] = tuple(board_labels[i] for i in ids)
        tile = CardTile(
            card_id,
            column_id,
            title,
            _KINDS[kind],
            _languages(languages),
            labels,
            useful,
            _languages(audiences),
        )
        grouped[column_id].append(tile)
    # Sorts are stable: the board's order among equals.
    if order == "useful":
        for tiles in grouped.values():
            tiles.sort(key=lambda tile: -tile.useful)
    elif order == "newest":
        for tiles in grouped.values():
            tiles.sort(key=lambda tile: -tile.id)  # ids grow as cards are added
    return grouped
