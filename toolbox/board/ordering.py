"""Where a column or a card goes among its siblings, read and renumbered in the database.

Only ids and positions are read (not whole cards with their descriptions), so a move costs the
same on a column of five cards and on one of five hundred.
"""

from __future__ import annotations

import functools
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, Update, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from toolbox.board.models import BoardColumn, Card
from toolbox.board.positions import place


@dataclass
class Slot:
    id: int
    position: float


@dataclass(frozen=True)
class Placement:
    position: float
    index: int  # the index actually taken (an index past the end means last)
    siblings: tuple[int, ...] = ()  # the siblings' ids in order, without the one placed

    def order_with(self, placed: int) -> tuple[int, ...]:
        """The siblings' ids in order once `placed` has taken its index among them."""
        return (*self.siblings[: self.index], placed, *self.siblings[self.index :])


def order_check(ids: Iterable[int]) -> str:
    """A short check of a column's order: the CRC-32 of its card ids joined by commas, in
    hexadecimal. A browser computes the same from its page (static/board.js) after applying a
    move, and reads the column again when the two differ."""
    return f"{zlib.crc32(','.join(map(str, ids)).encode()):08x}"


async def place_among(
    session: AsyncSession,
    model: type[Card] | type[BoardColumn],
    siblings: list[ColumnElement[Any]],
    index: int | None,
    *,
    exclude: int | None = None,
) -> Placement:
    """A position at `index` (None: last) among the rows matching `siblings`, minus `exclude`.

    Call it with the board's write lock held (`lock_board`), so the neighbours cannot move
    between this read and the caller's write.
    """
    rows = await session.execute(
        select(model.id, model.position).where(*siblings).order_by(model.position, model.id)
    )
    return await place_in(session, model, rows, index, exclude=exclude)


async def place_in(
    session: AsyncSession,
    model: type[Card] | type[BoardColumn],
    rows: Iterable[Sequence[Any]],
    index: int | None,
    *,
    exclude: int | None = None,
) -> Placement:
    """`place_among` for siblings already read (ids and positions, in order), under the lock:
    for a caller that reads them together with something else in one statement."""
    slots = [Slot(row_id, position) for row_id, position in rows if row_id != exclude]
    index = len(slots) if index is None else min(index, len(slots))
    before = {slot.id: slot.position for slot in slots}
    position = place(slots, index)
    renumbered = [  # the gap ran out and the siblings were renumbered
        {"slot_id": slot.id, "slot_position": slot.position}
        for slot in slots
        if slot.position != before[slot.id]
    ]
    if renumbered:
        # One statement run for every sibling (an executemany: one round trip with asyncpg),
        # rather than a statement and a round trip each.
        await session.execute(_renumbering(model), renumbered)
    return Placement(position=position, index=index, siblings=tuple(slot.id for slot in slots))


@functools.cache
def _renumbering(model: type[Card] | type[BoardColumn]) -> Update:
    """UPDATE of one sibling's position, built once for each model. Core, and so not
    synchronised with the session, as the UPDATE it replaces was not: a copy of a sibling the
    session holds keeps its old position."""
    table = cast(Table, model.__table__)
    return (
        update(table)
        .where(table.c.id == bindparam("slot_id"))
        .values(position=bindparam("slot_position"))
    )
