"""SQLite both ways (the operator's TOOLBOX_SQLITE_INLINE): on the event loop's thread
(toolbox.sqlite_inline) and on the stock aiosqlite driver. The same database behaviours hold in
both: another process's write lock makes a write wait without freezing the loop, a lock never
released ends in a clear error, a read is a snapshot, writers begin IMMEDIATE (two processes'
read-then-write transactions both succeed), and a crowd booking one slot gets exactly its seats.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from tests.accounts.builders import new_person
from tests.board.builders import access_of, events_of, new_board, new_card, new_column, new_member
from tests.brigade.builders import booking_form, new_slot
from tests.servers import migrated_database
from toolbox import sqlite_inline
from toolbox.accounts.models import User
from toolbox.board.cards import move_card
from toolbox.board.models import Board, Card, Role
from toolbox.brigade.bookings import book
from toolbox.brigade.models import BookingStatus, Slot
from toolbox.db import Database
from toolbox.errors import Conflict
from toolbox.settings import Settings


@pytest.fixture(params=[True, False], ids=["inline", "aiosqlite"])
def inline(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


@pytest.fixture
async def sqlite_url(tmp_path: Path) -> AsyncIterator[str]:
    async with migrated_database("sqlite", str(tmp_path), "") as url:
        yield url


@pytest.fixture
async def sqlite_db(sqlite_url: str, inline: bool) -> AsyncIterator[tuple[Database, Path]]:
    database = Database(sqlite_url, sqlite_inline=inline)
    yield database, Path(str(make_url(sqlite_url).database))
    await database.dispose()


@pytest.fixture
def other_process_lock(sqlite_db: tuple[Database, Path]) -> Iterator[sqlite3.Connection]:
    """A separate connection (as the CLI in another process would be) holding the write lock."""
    _db, path = sqlite_db
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    yield holder
    if holder.in_transaction:
        holder.rollback()
    holder.close()


def test_the_setting_is_on_unless_the_operator_turns_it_off() -> None:
    assert Settings.from_env({}).sqlite_inline is True
    assert Settings.from_env({"TOOLBOX_SQLITE_INLINE": "0"}).sqlite_inline is False
    assert Settings.from_env({"TOOLBOX_SQLITE_INLINE": "1"}).sqlite_inline is True


async def test_the_driver_is_the_one_asked_for(
    sqlite_db: tuple[Database, Path], inline: bool
) -> None:
    db, _path = sqlite_db
    async with db.engine.connect() as connection:
        raw = await connection.get_raw_connection()
        driver = raw.driver_connection
    assert isinstance(driver, sqlite_inline.InlineConnection) is inline


async def test_a_write_waits_for_another_connections_lock_while_reads_go_on(
    sqlite_db: tuple[Database, Path], other_process_lock: sqlite3.Connection
) -> None:
    db, _path = sqlite_db
    order: list[str] = []

    async def write() -> None:
        async with db.write() as session:
            await session.execute(text("UPDATE boards SET seq = seq WHERE 0"))
        order.append("write committed")

    writer = asyncio.create_task(write())
    await asyncio.sleep(0.05)
    assert not writer.done()  # it is waiting for the lock...
    async with db.read() as session:  # ...and the loop still serves reads meanwhile
        assert await session.scalar(text("SELECT count(*) FROM boards")) == 0
    assert await db.first_row(text("SELECT count(*) FROM boards")) == (0,)
    order.append("read answered")
    other_process_lock.commit()
    order.append("lock released")
    await writer
    assert order == ["read answered", "lock released", "write committed"]


async def test_a_lock_never_released_ends_in_an_error_not_a_hang(
    sqlite_db: tuple[Database, Path],
    other_process_lock: sqlite3.Connection,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db, _path = sqlite_db
    monkeypatch.setattr(sqlite_inline, "BUSY_DEADLINE", 0.2)
    with pytest.raises(OperationalError, match="locked"):
        async with db.write() as session:
            await session.execute(text("UPDATE boards SET seq = seq WHERE 0"))
    # Nothing is left half-done: once the other connection lets go, writes work again.
    other_process_lock.rollback()
    async with db.write() as session:
        await session.execute(text("UPDATE boards SET seq = seq WHERE 0"))


async def test_a_read_is_a_snapshot(sqlite_db: tuple[Database, Path]) -> None:
    db, path = sqlite_db
    other = sqlite3.connect(path, isolation_level=None)
    try:
        async with db.read() as session:
            assert await session.scalar(text("SELECT count(*) FROM users")) == 0
            other.execute(
                "INSERT INTO users (email, name, is_admin, calendar_salt, created_at) "
                "VALUES ('snap@example.org', '', 0, '', '2026-01-01 00:00:00')"
            )
            # The read began before that commit: it goes on seeing the database as it was.
            assert await session.scalar(text("SELECT count(*) FROM users")) == 0
        async with db.read() as session:
            assert await session.scalar(text("SELECT count(*) FROM users")) == 1
    finally:
        other.close()


async def test_two_processes_read_then_write_and_both_succeed(
    sqlite_url: str, inline: bool
) -> None:
    """Writers begin IMMEDIATE: the second waits for the first's lock before it reads, instead
    of reading, then failing with "database is locked" when it tries to write."""
    first, second = (
        Database(sqlite_url, sqlite_inline=inline),
        Database(sqlite_url, sqlite_inline=inline),
    )
    async with first.write() as session:
        await session.execute(
            text(
                "INSERT INTO users (email, name, is_admin, calendar_salt, created_at) "
                "VALUES ('count@example.org', '0', 0, '', '2026-01-01 00:00:00')"
            )
        )

    async def increment(db: Database) -> None:
        async with db.write() as session:
            count = await session.scalar(text("SELECT name FROM users"))
            await asyncio.sleep(0.05)  # the other process comes in meanwhile
            await session.execute(text("UPDATE users SET name = :n"), {"n": str(int(count) + 1)})

    try:
        await asyncio.gather(increment(first), increment(second))
        assert await first.first_row(text("SELECT name FROM users")) == ("2",)
    finally:
        await first.dispose()
        await second.dispose()


async def test_a_crowd_from_two_processes_gets_exactly_the_seats(
    sqlite_url: str, inline: bool
) -> None:
    """Twenty people press "Book" at once for three seats, half through each of two processes
    (each its own `Database`): exactly three bookings, and seventeen clean refusals."""
    first, second = (
        Database(sqlite_url, sqlite_inline=inline),
        Database(sqlite_url, sqlite_inline=inline),
    )
    try:
        async with first.write() as session:
            facilitator = await new_person(session)
            board = await new_board(session, facilitator=facilitator)
            expert = await new_member(session, board, Role.expert)
            slot = await new_slot(session, board, facilitator, expert=expert, capacity=3)
            crowd = [await new_member(session, board, Role.participant) for _ in range(20)]

        async def press(db: Database, person: User) -> str:
            try:
                await book(db, person, slot.id, booking_form(), None)
            except Conflict as refusal:
                return refusal.code
            return "booked"

        outcomes = await asyncio.gather(
            *(press(first if i % 2 else second, person) for i, person in enumerate(crowd))
        )
        assert sorted(outcomes).count("booked") == 3
        assert set(outcomes) == {"booked", "slot_full"}
        async with first.read() as session:
            stored = await session.get(Slot, slot.id)
            live = await session.scalar(
                text("SELECT count(*) FROM bookings WHERE slot_id = :s AND status = :st"),
                {"s": slot.id, "st": BookingStatus.active.name},
            )
        assert stored is not None and stored.seats_taken == 3 and live == 3
    finally:
        await first.dispose()
        await second.dispose()


async def test_a_card_move_writes_its_card_and_its_event_on_either_driver(
    sqlite_db: tuple[Database, Path],
) -> None:
    """A move's writes go to the driver itself on the inline connection, through SQLAlchemy on
    aiosqlite's (`toolbox.db.write_rows`): the same rows either way."""
    db, _path = sqlite_db
    async with db.write() as session:
        facilitator = await new_person(session)
        board = await new_board(session, facilitator=facilitator)
        left = await new_column(session, board, facilitator, "Outils")
        right = await new_column(session, board, facilitator, "Guides")
        card = await new_card(session, board, left, facilitator, title="Lexique")
    async with db.write() as session:
        await move_card(session, await access_of(session, board, facilitator), card.id, right.id, 0)
    async with db.read() as session:
        column_id = await session.scalar(select(Card.column_id).where(Card.id == card.id))
        events = await events_of(session, board)
        seq = await session.scalar(select(Board.seq).where(Board.id == board.id))
    assert column_id == right.id
    moved = events[-1]
    assert (moved.type, moved.data["card_id"], moved.data["column_id"]) == (
        "card.moved",
        card.id,
        right.id,
    )
    # The seq taken with the lock is the event's: no gap, none twice.
    assert [event.seq for event in events] == list(range(1, len(events) + 1))
    assert moved.seq == seq
