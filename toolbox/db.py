"""The database: the model base, the engine, and the two ways to use it (read, write).

Every write goes through `Database.write()`, one transaction. Events recorded during it
(see `toolbox.events.log.record_event`) are handed to the publisher only after commit,
so nobody ever hears about a change that did not happen.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

from sqlalchemy import DateTime, MetaData, event, exc, text
from sqlalchemy.engine import Connection, CursorResult, Dialect, Engine, Row, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection
from sqlalchemy.sql.base import Executable
from sqlalchemy.types import TypeDecorator
from sqlalchemy.util import await_, greenlet_spawn

from toolbox import json_text
from toolbox import sqlite_inline as sqlite_inline_driver
from toolbox.single_read import DriverReadFailed, SingleRead

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

T = TypeVar("T")
log = logging.getLogger(__name__)

#: SQLSTATEs of a transaction PostgreSQL rolled back to break a deadlock (40P01) or to keep
#: transactions serializable (40001): nothing of it was written, and the same work run again
#: normally goes through.
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})
#: How many changes this task (a request) has committed so far, when someone counts them
#: (`counting_commits`): work that committed nothing can be run again whole.
_commits: ContextVar[list[int] | None] = ContextVar("toolbox_commits", default=None)

PENDING_EVENTS = "toolbox.pending_events"
#: The `sqlite_begin` of a single statement read on its own (`Database.first_row`).
NO_BEGIN = "NONE"
READ_ONLY = "toolbox.read_only"
#: A pooled PostgreSQL connection idle for longer is pinged before it is used again.
IDLE_BEFORE_PING = 10.0
#: PostgreSQL connections per process by default, the only pool it has (`create_engine`;
#: the operator's `TOOLBOX_DATABASE_POOL_SIZE`).
POSTGRES_POOL_SIZE = 5
# The JSON columns (a card's languages and audiences, an event's document) written and read as
# every answer is (toolbox.json_text): compact UTF-8, decoded at orjson's speed on every read.
_JSON_CODEC = {"json_serializer": json_text.dump_text, "json_deserializer": json_text.load}


class ReadOnlySession(RuntimeError):
    """A change was flushed in a session opened with `Database.read()`: a programming error,
    which would be committed at once on PostgreSQL (autocommit) and lost on SQLite."""


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
        # asyncpg gives UTC already: kept as it is, rather than copied (three per card read).
        if value is None or value.tzinfo is UTC:
            return value
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


Publisher = Callable[[list[Any]], Awaitable[None]]


async def _publish_nothing(events: list[Any]) -> None:
    return None


class Database:
    """One engine and its sessions; `write()` is the only door for changes."""

    def __init__(
        self,
        url: str,
        *,
        echo: bool = False,
        idle_before_ping: float = IDLE_BEFORE_PING,
        sqlite_inline: bool = True,
        pool_size: int = POSTGRES_POOL_SIZE,
    ) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self.engine: AsyncEngine = create_engine(
            url,
            echo=echo,
            idle_before_ping=idle_before_ping,
            sqlite_inline=sqlite_inline,
            pool_size=pool_size,
        )
        # PostgreSQL reads run in autocommit mode: at READ COMMITTED a transaction gives a read
        # nothing (each statement takes a new snapshot anyway), and BEGIN and ROLLBACK are two
        # round trips more per request. SQLite keeps its read transaction: that one is a
        # snapshot, and it costs nothing (see toolbox.sqlite_inline).
        self._reader: AsyncEngine = (
            self.engine
            if self.is_sqlite
            else self.engine.execution_options(isolation_level="AUTOCOMMIT")
        )
        self._sessions = async_sessionmaker(self._reader, expire_on_commit=False)
        self._single_statement: Engine = (
            self.engine.sync_engine.execution_options(sqlite_begin=NO_BEGIN)
            if self.is_sqlite
            else self._reader.sync_engine
        )
        # SQLite: a write transaction takes the write lock when it begins (BEGIN IMMEDIATE), so
        # two writers queue on busy_timeout instead of one failing at its first write with
        # "database is locked" after both have read.
        self._driver_is_asyncpg = self.engine.dialect.driver == "asyncpg"
        # The statements of `first_row`, compiled once each (they are module constants).
        self._single_read = functools.lru_cache(maxsize=64)(
            functools.partial(SingleRead.compile, dialect=self.engine.dialect)
        )
        writer = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        self._write_sessions = async_sessionmaker(writer, expire_on_commit=False)
        self.publish: Publisher = _publish_nothing
        # SQLite has one writer at a time. Queueing this process's writers here is fair and
        # immediate; left to SQLite, each waiting connection sleeps in its busy handler (up to
        # 100 ms a nap), which turns twenty concurrent writes into seconds.
        self._sqlite_writer = asyncio.Lock() if self.is_sqlite else None

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session for reading only; a change made in it is refused (see `write`)."""
        session = self._sessions()
        session.info[READ_ONLY] = True
        try:
            yield session
        finally:
            # Not `async with session`: its exit runs close() in a task of its own (safe from
            # cancellation), which under a crowd waits behind every ready request while it holds
            # its connection, until the pool runs dry. A read has nothing to lose if cancelled.
            await session.close()

    async def first_row(
        self, statement: Executable, parameters: Mapping[str, Any] | None = None
    ) -> tuple[Any, ...] | None:
        """The first row of one Core SELECT (a named tuple, its fields named as the columns), on
        the engine's pool and outside any session: for the small reads nearly every request
        makes (who is asking, a slot with its board and the caller's role).

        Through a SQLAlchemy `Connection` such a read costs several times what the database
        spends on it (execution context, events, result object; docs/performance.md,
        "Contention"), so the statement is compiled once (`toolbox.single_read`) and run by
        the driver of a connection checked out of the engine's pool, its values converted by the
        columns' own types (an aware `UTCDateTime`, a `Role` as the enum). One statement needs
        no transaction: PostgreSQL runs it in autocommit, SQLite without a BEGIN (the statement
        is its own snapshot).

        Should the driver fail (most often: a connection the server closed while it waited in
        the pool, after a restart), that connection is invalidated and the read, which changes
        nothing, is asked again through a `Connection`: SQLAlchemy then raises its own errors
        and, on a lost connection, invalidates the pool and the read is asked once more."""
        read = self._single_read(statement)
        arguments = read.arguments(parameters or {})
        try:
            return await greenlet_spawn(self._first_row_on_driver, read, arguments)
        except DriverReadFailed:
            pass  # asked again below, where SQLAlchemy handles the error as for any statement
        for attempt in (1, 2):
            try:
                row = await greenlet_spawn(self._first_row_on_connection, statement, parameters)
                return read.named(tuple(row)) if row is not None else None
            except exc.DBAPIError as error:
                if attempt == 2 or not error.connection_invalidated:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    async def first_as(
        self,
        model: Callable[..., T],
        statement: Executable,
        parameters: Mapping[str, Any] | None = None,
    ) -> T | None:
        """`first_row` of a `select()` whose columns are named as `model`'s fields, as a
        `model` (a read model such as `Principal`)."""
        row = await self.first_row(statement, parameters)
        return None if row is None else model(**row._asdict())  # type: ignore[attr-defined]

    def _first_row_on_driver(self, read: SingleRead, arguments: list[Any]) -> Any:
        pooled = self.engine.sync_engine.raw_connection()
        try:
            driver = pooled.driver_connection
            if isinstance(driver, sqlite_inline_driver.InlineConnection):
                row = driver.first_row_now(read.sql, arguments)
            elif self._driver_is_asyncpg:
                # asyncpg opens no transaction of its own: the statement runs in autocommit.
                row = await_(cast(Any, driver).fetchrow(read.sql, *arguments))
            else:  # the stock aiosqlite driver, through SQLAlchemy's DBAPI adapter
                cursor = pooled.cursor()
                cursor.execute(read.sql, arguments)
                row = cursor.fetchone()
                cursor.close()
        except Exception as error:
            # A connection that fails so simple a read is not trusted again: most often the
            # server closed it (a restart). The caller asks again through a `Connection`.
            pooled.invalidate(error)
            raise DriverReadFailed from error
        finally:
            pooled.close()
        return None if row is None else read.row(row)

    def _first_row_on_connection(
        self, statement: Executable, parameters: Mapping[str, Any] | None
    ) -> Row[Any] | None:
        with self._single_statement.connect() as connection:
            return connection.execute(statement, parameters).first()

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        async with self._sqlite_writer or contextlib.nullcontext():
            # The session begins with its first statement and is committed at the end, rather
            # than through `async with session.begin()` and `async with session`: the most
            # frequent changes (a card's move) spend as much in those as in a statement.
            session = self._write_sessions()
            try:
                yield session
                await session.commit()
            except BaseException:
                # Closed as `async with session` closes it (rolling back what is left) in a task
                # of its own, which a second cancellation cannot interrupt: the connection goes
                # back to the pool whatever happens.
                async with session:
                    raise
            # Committed: closing returns the connection to the pool with no round trip, so
            # nothing here can be interrupted.
            await session.close()
            events = session.info.pop(PENDING_EVENTS, [])
        if (commits := _commits.get()) is not None:
            commits[0] += 1
        if events:
            await self.publish(events)

    async def transaction(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """`work` in one write transaction (`write`), run once more if PostgreSQL rolled it
        back to break a deadlock or a serialization failure: the second run starts afresh,
        and it is then the other transaction that holds the locks it waits for."""
        try:
            async with self.write() as session:
                return await work(session)
        except exc.DBAPIError as error:
            if not is_retryable(error):
                raise
            log.info("write retried after %s", sqlstate(error))
        async with self.write() as session:
            return await work(session)

    async def dispose(self) -> None:
        await self.engine.dispose()


def sqlstate(error: BaseException) -> str | None:
    """The SQLSTATE of a database error as SQLAlchemy wraps it (asyncpg's adapter keeps it)."""
    original = getattr(error, "orig", None)
    code = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    return code if isinstance(code, str) else None


def is_retryable(error: BaseException) -> bool:
    """A deadlock or serialization failure: the transaction was rolled back whole."""
    return isinstance(error, exc.DBAPIError) and sqlstate(error) in RETRYABLE_SQLSTATES


@contextlib.contextmanager
def counting_commits() -> Iterator[list[int]]:
    """Counts the write transactions committed in this task from here on (`[n]`), so that a
    caller can tell whether work that failed had already changed something."""
    commits = [0]
    token = _commits.set(commits)
    try:
        yield commits
    finally:
        _commits.reset(token)


async def _driver_of(session: AsyncSession) -> tuple[Any, Dialect]:
    """The driver's connection under `session`'s (checked out first if need be) and its
    dialect: in one greenlet round, where `session.connection()` and then the connection's
    `get_raw_connection()` take one each (a move asks twice)."""
    return await greenlet_spawn(_sync_driver_of, session.sync_session)


def _sync_driver_of(session: Session) -> tuple[Any, Dialect]:
    connection = session.connection()
    return connection.connection.driver_connection, connection.dialect


@functools.lru_cache(maxsize=64)
def _compiled(statement: Executable, dialect: Dialect) -> SingleRead:
    return SingleRead.compile(statement, dialect)


async def all_rows(
    session: AsyncSession, statement: Executable, parameters: Mapping[str, Any]
) -> Sequence[Sequence[Any]]:
    """Every row of one Core SELECT (built once, as a module constant), in `session`'s own
    transaction, as plain tuples: for a page's reads of hundreds of rows (a board's cards),
    where a `Result`'s rows cost more than the database does (a few µs a row). Compiled once
    and run by the driver of the session's connection, as `Database.first_row` runs its
    reads; values converted by the columns' own types where they have a conversion."""
    driver, dialect = await _driver_of(session)
    read = _compiled(statement, dialect)
    arguments = read.arguments(parameters)
    if isinstance(driver, sqlite_inline_driver.InlineConnection):
        rows: Sequence[Sequence[Any]] = driver.all_rows_now(read.sql, arguments)
    elif dialect.driver == "asyncpg":
        rows = await cast(Any, driver).fetch(read.sql, *arguments)
    else:  # the stock aiosqlite driver: its cursor is SQLAlchemy's to drive
        return [tuple(row) for row in await session.execute(statement, parameters)]
    if read.result_converters is None or not any(read.result_converters):
        return rows
    return [read.row(row) for row in rows]


async def write_rows(
    session: AsyncSession, statement: Executable, parameters: Mapping[str, Any]
) -> Sequence[Sequence[Any]]:
    """One INSERT or UPDATE (built once, as a module constant, every value a named parameter)
    in `session`'s transaction, run by the driver of its connection as `all_rows` runs a read:
    for the writes of the most frequent change, a card's move (its card, the board's next seq,
    the event's row), where SQLAlchemy's execution (context, events, result) costs several
    times what the database spends on them. Its RETURNING rows, their values converted by the
    columns' own types where they have a conversion (as `all_rows`).

    Python-side column defaults are not applied (give every value), and the session's objects
    know nothing of the change (a copy of the row it holds stays as it was)."""
    driver, dialect = await _driver_of(session)
    rows: Sequence[Sequence[Any]]
    if isinstance(driver, sqlite_inline_driver.InlineConnection):
        write = _compiled(statement, dialect)
        rows = await driver.all_rows_patiently(write.sql, write.arguments(parameters))
    # SQLAlchemy's asyncpg adapter begins its transaction with the first statement it runs: a
    # write run by the driver before that one would commit on its own.
    elif dialect.driver == "asyncpg" and cast(Any, driver).is_in_transaction():
        write = _compiled(statement, dialect)
        rows = await cast(Any, driver).fetch(write.sql, *write.arguments(parameters))
    else:
        result = cast(CursorResult[Any], await session.execute(statement, parameters))
        return [tuple(row) for row in result] if result.returns_rows else []
    if write.result_converters is None or not any(write.result_converters):
        return rows
    return [write.row(row) for row in rows]


async def serialize_on(session: AsyncSession, key: str) -> None:
    """Hold a lock named `key` until the transaction ends, so that two transactions about the
    same thing (one organisation's bookings, one expert's claims) run one after the other.

    PostgreSQL: a transaction-scoped advisory lock. SQLite has one writer at a time already.
    """
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})


@event.listens_for(AsyncSession.sync_session_class, "before_flush")
def _refuse_writes_when_reading(session: Any, _context: Any, _instances: Any) -> None:
    if session.info.get(READ_ONLY):
        raise ReadOnlySession("a change was made in a session opened with Database.read()")


def create_engine(
    url: str,
    *,
    echo: bool = False,
    idle_before_ping: float = IDLE_BEFORE_PING,
    sqlite_inline: bool = True,
    pool_size: int = POSTGRES_POOL_SIZE,
) -> AsyncEngine:
    """The process's one engine, and its one pool.

    `sqlite_inline` (the operator's `TOOLBOX_SQLITE_INLINE`, on unless set to 0) runs SQLite on
    the event loop's thread (toolbox.sqlite_inline); off, the stock aiosqlite driver runs it in
    a thread of its own, with the same transactions and locks (tests/test_sqlite_modes.py).
    """
    if not url.startswith("sqlite"):
        # A fixed pool, opened as the load comes and then kept: with SQLAlchemy's default (5, and
        # 10 more closed again as soon as they are returned), a crowd of requests kept opening
        # connections (and preparing every statement again on each) instead of reusing them.
        # Small by default: with PostgreSQL on the app's own cores, more connections only
        # compete for them (docs/operations.md, "Connections"); a database host of its own may
        # take more.
        engine = create_async_engine(
            url, echo=echo, pool_size=pool_size, max_overflow=0, **_JSON_CODEC
        )
        _ping_when_idle(engine, idle_before_ping)
        return engine
    if sqlite_inline:
        # The connections run SQLite on the event loop's thread: they open in autocommit mode
        # (we emit BEGIN ourselves, below) and wait for another process's write lock with
        # asyncio.sleep rather than inside SQLite.
        database = make_url(url).database or ":memory:"
        engine = create_async_engine(
            url, echo=echo, async_creator=sqlite_inline_driver.connector(database), **_JSON_CODEC
        )
    else:
        engine = create_async_engine(url, echo=echo, **_JSON_CODEC)

    @event.listens_for(engine.sync_engine, "connect")
    def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
        if not sqlite_inline:
            # As the inline connections are: autocommit at the driver, so that the BEGIN below
            # is the only one (Python's sqlite3 would otherwise begin by itself, and only before
            # a write, leaving reads without their snapshot). SQLite itself waits for another
            # process's lock here, in aiosqlite's thread, as long as the inline driver would.
            dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not sqlite_inline:
            busy_ms = int(sqlite_inline_driver.BUSY_DEADLINE * 1000)
            cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        if mode == NO_BEGIN:
            # `Database.first_row`: one statement, in the driver's autocommit mode. The rollback
            # when the connection returns to the pool finds no transaction, and does nothing.
            return
        if mode == "DEFERRED" and sqlite_inline:
            # A deferred BEGIN takes no lock, so it never finds the database busy: it goes
            # straight to the driver, without SQLAlchemy's execution path (≈ 0.1 ms, as much as
            # a read request's own queries).
            driver = connection.connection.driver_connection
            cast(sqlite_inline_driver.InlineConnection, driver).begin_deferred()
        else:
            connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _ping_when_idle(engine: AsyncEngine, idle_before_ping: float) -> None:
    """Check a pooled connection that sat idle before handing it out, and replace it if the
    server closed it meanwhile (a restart, an idle timeout).

    `pool_pre_ping` does this at every checkout: three round trips with asyncpg (BEGIN, ping,
    ROLLBACK), more than the request's own queries. A connection used a moment ago is alive;
    should the server have gone away since, the request fails once and SQLAlchemy invalidates
    the pool, so the next requests connect afresh.
    """

    @event.listens_for(engine.sync_engine, "checkin")
    def _returned(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _checked_out(
        dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: PoolProxiedConnection
    ) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < idle_before_ping:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            # The pool discards this connection and checks out (or opens) another.
            raise exc.DisconnectionError("the pooled connection was closed") from error
