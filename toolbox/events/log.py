"""Writing a board's events: the one place where `seq` grows.

A service calls `record_event` inside its transaction; the event row and the board's new `seq`
commit together with the change or not at all. `Database.write()` hands the recorded events to
the publisher after commit.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, bindparam, column, select, table, update
from sqlalchemy.ext.asyncio import AsyncSession

from toolbox.db import PENDING_EVENTS, all_rows, utcnow
from toolbox.events.models import BoardEvent
from toolbox.events.types import Event

# The two columns of the boards table that the log owns: a board's `seq` is the number of its
# last event. Named as a plain table so that this package needs no domain's model.
_boards = table("boards", column("id", Integer), column("seq", Integer))


async def lock_board(session: AsyncSession, board_id: int) -> None:
    """Take the board's write lock for the rest of the transaction.

    On PostgreSQL this is a row lock on the board, so concurrent moves on one board compute
    positions one after the other; SQLite's BEGIN IMMEDIATE already serialises writers.

    A row read before the lock (to find the board, to check access) may have changed by the
    time it is held: read it again with `populate_existing=True`, or the session's identity map
    hands back the copy from before, and the change is decided on that.
    """
    await session.execute(select(_boards.c.id).where(_boards.c.id == board_id).with_for_update())


async def record_event(
    session: AsyncSession,
    board_id: int,
    event: Event,
    *,
    actor_id: int | None,
) -> BoardEvent:
    """Record `event` on the board: its row gets the board's next `seq`."""
    seq = await session.scalar(
        update(_boards)
        .where(_boards.c.id == board_id)
        .values(seq=_boards.c.seq + 1)
        .returning(_boards.c.seq)
    )
    assert seq is not None, "events are recorded for boards that exist"
    row = BoardEvent(
        board_id=board_id,
        seq=seq,
        type=event.type,
        actor_id=actor_id,
        at=utcnow(),
        data=event.to_data(),
    )
    session.add(row)
    await session.flush()
    session.info.setdefault(PENDING_EVENTS, []).append(row)
    return row


_BOARD_SEQ = select(_boards.c.seq).where(_boards.c.id == bindparam("board_id"))


async def board_seq(session: AsyncSession, board_id: int) -> int:
    """The `seq` of the board's last event (0 for none, or for a board that is gone)."""
    rows = await all_rows(session, _BOARD_SEQ, {"board_id": board_id})
    return int(rows[0][0] or 0) if rows else 0


async def events_after(
    session: AsyncSession, board_id: int, after: int, limit: int = 500
) -> list[BoardEvent]:
    rows = await session.scalars(
        select(BoardEvent)
        .where(BoardEvent.board_id == board_id, BoardEvent.seq > after)
        .order_by(BoardEvent.seq)
        .limit(limit)
    )
    return list(rows)


def event_document(event: BoardEvent) -> dict[str, Any]:
    """The event as it travels on the bus; `event_for_audience` trims it for clients."""
    return {
        "board_id": event.board_id,
        "seq": event.seq,
        "type": event.type,
        "at": event.at.isoformat(),
        "actor_id": event.actor_id,
        "data": event.data,
    }
