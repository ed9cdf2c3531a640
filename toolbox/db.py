"""The database: the model base, the engine, and the two ways to use it (read, write).

Every write goes through `Database.write()`, one transaction. Events recorded during it
(see `toolbox.live.events.record_event`) are handed to the publisher only after commit,
so nobody ever hears about a change that did not happen.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, MetaData, event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from toolbox import sqlite_inline

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

PENDING_EVENTS = "toolbox.pending_events"


class ModelBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes stored as UTC on every backend (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: give them a time zone")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


Publisher = Callable[[list[Any]], Awaitable[None]]


async def _publish_nothing(events: list[Any]) -> None:
    return None


class Database:
    """One engine and its sessions; `write()` is the only door for changes."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self.engine: AsyncEngine = create_engine(url, echo=echo)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # SQLite: a write transaction takes the write lock when it begins (BEGIN IMMEDIATE), so
        # two writers queue on busy_timeout instead of one failing at its first write with
        # "database is locked" after both have read.
        writer = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        self._write_sessions = async_sessionmaker(writer, expire_on_commit=False)
        self.publish: Publisher = _publish_nothing
        # SQLite has one writer at a time. Queueing this process's writers here is fair and
        # immediate; left to SQLite, each waiting connection sleeps in its busy handler (up to
        # 100 ms a nap), which turns twenty concurrent writes into seconds.
        self._sqlite_writer = asyncio.Lock() if self.is_sqlite else None

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self._sessions() as session:
            yield session

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        async with contextlib.AsyncExitStack() as stack:
            if self._sqlite_writer is not None:
                await stack.enter_async_context(self._sqlite_writer)
            session = await stack.enter_async_context(self._write_sessions())
            async with session.begin():
                yield session
            events = session.info.pop(PENDING_EVENTS, [])
        if events:
            await self.publish(events)

    async def dispose(self) -> None:
        await self.engine.dispose()


async def serialize_on(session: AsyncSession, key: str) -> None:
    """Hold a lock named `key` until the transaction ends, so that two transactions about the
    same thing (one organisation's bookings, one expert's claims) run one after the other.

    PostgreSQL: a transaction-scoped advisory lock. SQLite has one writer at a time already.
    """
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    if not url.startswith("sqlite"):
        return create_async_engine(url, echo=echo, pool_pre_ping=True)
    # The connections run SQLite on the event loop's thread (see toolbox.sqlite_inline): they
    # open in autocommit mode (we emit BEGIN ourselves, below) and wait for another process's
    # write lock with asyncio.sleep rather than inside SQLite.
    database = make_url(url).database or ":memory:"
    engine = create_async_engine(url, echo=echo, async_creator=sqlite_inline.connector(database))

    @event.listens_for(engine.sync_engine, "connect")
    def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine
