"""Writing a board's events: the one place where `seq` grows.

A service calls `record_event` inside its transaction; the event row and the board's new `seq`
commit together with the change or not at all. `Database.write()` hands the recorded events to
the publisher after commit.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    CTE,
    ColumnElement,
    Integer,
    Table,
    bindparam,
    column,
    insert,
    literal_column,
    select,
    table,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import UpdateBase

from toolbox.db import PENDING_EVENTS, all_rows, utcnow, write_rows
from toolbox.events.models import BoardEvent
from toolbox.events.types import Event


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    """An event a change recorded: the values of its row, handed to the publisher once the
    change has committed. Not an instance of the row's model: the row is written by a statement
    and never read back (nobody needs its id), and an instance (its state, its instrumented
    attributes) is work every change would pay for nothing."""

    board_id: int
    seq: int
    type: str
    actor_id: int | None
    at: datetime
    data: dict[str, Any]


# The two columns of the boards table that the log owns: a board's `seq` is the number of its
# last event. Named as a plain table so that this package needs no domain's model.
_boards = table("boards", column("id", Integer), column("seq", Integer))
# Built once: every change runs them, and building a statement costs more than running it.
_LOCK = select(_boards.c.id).where(_boards.c.id == bindparam("board_id")).with_for_update()
_NEXT_SEQ = (
    update(_boards)
    .where(_boards.c.id == bindparam("board_id"))
    .values(seq=_boards.c.seq + literal_column("1"))
    .returning(_boards.c.seq)
)
_events = cast(Table, BoardEvent.__table__)
_EVENT_COLUMNS = ("board_id", "seq", "type", "actor_id", "at", "data")
_INSERT_EVENT = (
    insert(_events)
    .values({name: bindparam(name) for name in _EVENT_COLUMNS})
    .inline()  # no RETURNING of the id: nobody reads it
)
# The same INSERT as a CTE of a change's own write (`record_event_with`): its parameters named
# apart from the write's.
_EVENT_PARAMETER = "event_"
_EVENT_IN_CTE = (
    insert(_events)
    .values({name: bindparam(_EVENT_PARAMETER + name) for name in _EVENT_COLUMNS})
    .inline()
    .cte("recorded")
)


async def lock_board(session: AsyncSession, board_id: int) -> None:
    """Take the board's write lock for the rest of the transaction.

    On PostgreSQL this is a row lock on the board, so concurrent moves on one board compute
    positions one after the other; SQLite's BEGIN IMMEDIATE already serialises writers.

    A row read before the lock (to find the board, to check access) may have changed by the
    time it is held: read it again with `populate_existing=True`, or the session's identity map
    hands back the copy from before, and the change is decided on that.

    (A card's move takes the lock with its event's seq instead: `lock_board_taking_seq`.)
    """
    if session.get_bind().dialect.name == "sqlite":
        return  # the transaction holds the database's write lock since its BEGIN IMMEDIATE
    await session.execute(_LOCK, {"board_id": board_id})


async def lock_board_taking_seq(session: AsyncSession, board_id: int) -> int:
    """Take the board's write lock (as `lock_board`) by taking the `seq` of the one event the
    change is to record (`record_event(..., seq=)`): on PostgreSQL the UPDATE locks the row as
    the SELECT … FOR UPDATE does, and one round trip is saved on the most frequent change, a
    card's move. Only for a change that records exactly one event whenever it commits: one
    that could commit without it would leave a hole in the board's log."""
    ((seq,),) = await write_rows(session, _NEXT_SEQ, {"board_id": board_id})
    return int(seq)


def seq_taken(board_id: ColumnElement[int], when: ColumnElement[bool]) -> CTE:
    """PostgreSQL: `lock_board_taking_seq` as a CTE (`taken`, its columns `id` and `seq`) of
    the board whose id `board_id` gives, if `when` holds, for the change's first read to join:
    the read that finds the board and the caller's role takes the lock and the seq too, one
    round trip fewer.

    Only that first read: a statement sees the database as it was when the statement began,
    even the rows it had to wait for the lock to read, so what is decided under the lock (the
    change's own rows) is read by the next statement. A change that is refused after it
    (a missing right, a bad column) raises, and its transaction rolls back with the seq."""
    return (
        update(_boards)
        .where(_boards.c.id == board_id, when)
        .values(seq=_boards.c.seq + literal_column("1"))
        .returning(_boards.c.id, _boards.c.seq)
        .cte("taken")
    )


async def record_event(
    session: AsyncSession,
    board_id: int,
    event: Event,
    *,
    actor_id: int | None,
    seq: int | None = None,
) -> RecordedEvent:
    """Record `event` on the board: its row gets the board's next `seq` (or `seq`, taken with
    the lock by `lock_board_taking_seq`)."""
    if seq is None:
        ((seq,),) = await write_rows(session, _NEXT_SEQ, {"board_id": board_id})
    await _flush_pending(session)
    row = _event_row(board_id, event, actor_id, seq)
    # Written by the driver, not by the session's unit of work: the row is only written and
    # published, never changed, and every change pays for it (`write_rows`). The row stays out
    # of the session; nobody reads its id.
    await write_rows(session, _INSERT_EVENT, _event_values(row))
    _publish_after_commit(session, row)
    return row


async def record_event_with(
    session: AsyncSession,
    board_id: int,
    event: Event,
    *,
    actor_id: int | None,
    seq: int,
    write: UpdateBase,
    parameters: Mapping[str, Any],
) -> Sequence[Sequence[Any]]:
    """`write` (the change's own INSERT or UPDATE, built once, every value a named parameter:
    `toolbox.db.write_rows`), then `record_event`, its `seq` taken with the lock: on PostgreSQL
    in one statement (the event's INSERT a CTE of `write`), one round trip fewer. `write`'s
    RETURNING rows, their values converted by the columns' types."""
    if session.get_bind().dialect.name != "postgresql":
        rows = await write_rows(session, write, parameters)
        await record_event(session, board_id, event, actor_id=actor_id, seq=seq)
        return rows
    await _flush_pending(session)
    row = _event_row(board_id, event, actor_id, seq)
    rows = await write_rows(
        session,
        _with_event(write),
        {**parameters, **_event_values(row, _EVENT_PARAMETER)},
    )
    _publish_after_commit(session, row)
    return rows


async def _flush_pending(session: AsyncSession) -> None:
    """What the session holds unwritten is written now, as it was with the event in the unit of
    work: a mistake in it fails here, in the service, rather than at the commit. A change made
    by statements alone (a card's move) leaves nothing to flush, nor a round of the session's
    machinery to pay for it."""
    if session.new or session.dirty or session.deleted:
        await session.flush()


@functools.lru_cache(maxsize=16)
def _with_event(write: UpdateBase) -> UpdateBase:
    """`WITH recorded AS (INSERT INTO board_events …) <write>`, built once for each write."""
    return write.add_cte(_EVENT_IN_CTE)


def _event_row(board_id: int, event: Event, actor_id: int | None, seq: int) -> RecordedEvent:
    return RecordedEvent(
        board_id=board_id,
        seq=seq,
        type=event.type,
        actor_id=actor_id,
        at=utcnow(),
        data=event.to_data(),
    )


def _event_values(row: RecordedEvent, prefix: str = "") -> dict[str, Any]:
    return {prefix + column: getattr(row, column) for column in _EVENT_COLUMNS}


def _publish_after_commit(session: AsyncSession, row: RecordedEvent) -> None:
    """`Database.write()` hands the session's events to the publisher once it has committed."""
    session.info.setdefault(PENDING_EVENTS, []).append(row)


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


def event_document(event: BoardEvent | RecordedEvent) -> dict[str, Any]:
    """The event as it travels on the bus; `event_for_audience` trims it for clients."""
    return {
        "board_id": event.board_id,
        "seq": event.seq,
        "type": event.type,
        "at": event.at.isoformat(),
        "actor_id": event.actor_id,
        "data": event.data,
    }
