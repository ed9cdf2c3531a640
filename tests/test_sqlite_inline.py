"""SQLite on the event loop's thread (toolbox.sqlite_inline): another process's write lock makes a
write wait without freezing the loop, and a lock that is never released ends in a clear error."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from tests.servers import migrated_database
from toolbox import sqlite_inline
from toolbox.db import Database


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[tuple[Database, Path]]:
    async with migrated_database("sqlite", str(tmp_path), "") as url:
        database = Database(url)
        yield database, Path(str(make_url(url).database))
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
