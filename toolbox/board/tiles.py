"""The cards as the board page shows them: small read models from two Core reads.

A board page shows each card's title, kind, languages and labels, hundreds of times: loading
them as ORM instances (identity map, attribute instrumentation, the labels' relationship) was
about half of an uncached render. Changes never go through these; they load the `Card`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from toolbox.board.models import Board, Card, Kind, Label, card_labels


@dataclass(frozen=True, slots=True)
class LabelTile:
    name: str
    colour: str


@dataclass(frozen=True, slots=True)
class CardTile:
    """What `templates/board/_card.html` reads of a card, and nothing else."""

    id: int
    column_id: int
    title: str
    kind: Kind
    languages: list[str]
    labels: tuple[LabelTile, ...]
    useful: int
    audiences: list[str]


# Built once: building a statement costs more than running it.
_TILES = (
    select(
        Card.id,
        Card.column_id,
        Card.title,
        Card.kind,
        Card.languages,
        Card.useful,
        Card.audiences,
    )
    .where(Card.board_id == bindparam("board_id"), Card.archived_at.is_(None))
    .order_by(Card.position, Card.id)
)
_TILE_LABELS = (
    select(card_labels.c.card_id, Label.name, Label.colour)
    .join(Label, Label.id == card_labels.c.label_id)
    .where(Label.board_id == bindparam("board_id"))
    .order_by(Label.name)
)


async def card_tiles(
    session: AsyncSession, board: Board, *, order: str = ""
) -> dict[int, list[CardTile]]:
    """The board's open cards, grouped by column, each group in board order (as
    `services.cards_by_column`), or the most useful first (`order="useful"`), or the newest
    (`"newest"`), with their labels in name order."""
    parameters = {"board_id": board.id}
    labels: dict[int, list[LabelTile]] = defaultdict(list)
    for card_id, name, colour in await session.execute(_TILE_LABELS, parameters):
        labels[card_id].append(LabelTile(name, colour))
    grouped: dict[int, list[CardTile]] = defaultdict(list)
    rows = await session.execute(_TILES, parameters)
    for card_id, column_id, title, kind, languages, useful, audiences in rows:
        tile = CardTile(
            card_id,
            column_id,
            title,
            kind,
            languages or [],
            tuple(labels[card_id]),
            useful,
            audiences or [],
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
