"""SQLite for the async engine, run on the event loop's own thread.

SQLAlchemy's `sqlite+aiosqlite` dialect sends every cursor call (execute, fetch, close, commit)
to a worker thread and waits for the answer: about 100 µs of thread hand-off each, five or more
per statement, while SQLite itself answers a lookup on a local file in a few microseconds. Here
the same dialect is given connections whose "async" methods simply run the call and return, so
a request that reads three rows costs microseconds instead of milliseconds.

What this gives up, and why it is acceptable here:
- A slow statement (an export of a very large board) holds the event loop for its duration;
  with the thread it held the GIL for most of it anyway.
- A connection never sleeps inside SQLite waiting for another process's write lock (that would
  freeze every request): `busy_timeout` is 0 and a statement that finds the database busy is
  retried after an `asyncio.sleep`, up to `BUSY_DEADLINE` seconds. Writers of this process
  already queue on `Database`'s lock; only another process (the CLI, a second server) can be
  holding the lock.

An operator knob, not a product setting: `TOOLBOX_SQLITE_INLINE=0` falls back to the stock
aiosqlite driver (toolbox.db.create_engine), should this module ever misbehave on some platform;
tests/test_sqlite_modes.py runs the same database behaviours both ways.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

BUSY_DEADLINE = 30.0
_FIRST_NAP = 0.001
_LONGEST_NAP = 0.05

T = TypeVar("T")


async def _patiently(call: Callable[[], T]) -> T:
    """Run `call`; while SQLite says another connection holds the lock, sleep (without holding
    the event loop) and try again."""
    deadline = time.monotonic() + BUSY_DEADLINE
    nap = _FIRST_NAP
    while True:
        try:
            return call()
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode != sqlite3.SQLITE_BUSY or time.monotonic() > deadline:
                raise
        await asyncio.sleep(nap)
        nap = min(nap * 2, _LONGEST_NAP)


class InlineCursor:
    """The part of aiosqlite's cursor that SQLAlchemy's adapter uses."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> InlineCursor:
        await _patiently(lambda: self._cursor.execute(sql, parameters or ()))
        return self

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> InlineCursor:
        rows = list(parameters)
        await _patiently(lambda: self._cursor.executemany(sql, rows))
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()

    async def setinputsizes(self, *sizes: Any) -> None:
        return None


class InlineConnection:
    """The part of aiosqlite's connection that SQLAlchemy's adapter uses, without the thread."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection: sqlite3.Connection | None = connection

    @property
    def _conn(self) -> sqlite3.Connection:
        if self._connection is None:
            raise ValueError("no active connection")
        return self._connection

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    @property
    def in_transaction(self) -> bool:
        return self._conn.in_transaction

    def cursor(self) -> InlineCursor:
        return InlineCursor(self._conn.cursor())

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> InlineCursor:
        return await self.cursor().execute(sql, parameters)

    async def commit(self) -> None:
        await _patiently(self._conn.commit)

    async def rollback(self) -> None:
        self._conn.rollback()

    def first_row_now(self, sql: str, parameters: Sequence[Any]) -> Any:
        """One statement's first row, outside any transaction (`Database.first_row`). A reader
        of a WAL database does not wait for writers; should SQLite still answer "busy", the
        error goes to the caller, which asks again on the patient path."""
        cursor = self._conn.execute(sql, parameters)
        try:
            return cursor.fetchone()
        finally:
            cursor.close()

    def all_rows_now(self, sql: str, parameters: Sequence[Any]) -> list[Any]:
        """Every row of one statement, in whatever transaction the connection is in
        (`toolbox.db.all_rows`)."""
        cursor = self._conn.execute(sql, parameters)
        try:
            return cursor.fetchall()
        finally:
            cursor.close()

    async def all_rows_patiently(self, sql: str, parameters: Sequence[Any]) -> list[Any]:
        """`all_rows_now` for a write (`toolbox.db.write_rows`), which may have to wait for
        another process's lock, as the cursor's statements do."""
        cursor = await _patiently(lambda: self._conn.execute(sql, parameters))
        try:
            return cursor.fetchall()
        finally:
            cursor.close()

    def begin_deferred(self) -> None:
        """BEGIN for a reader: it takes no lock until the first read, and never waits."""
        self._conn.execute("BEGIN DEFERRED")

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    async def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def connector(path: str, *, uri: bool = False) -> Callable[[], Any]:
    """An `async_creator` for `create_async_engine`: opens `path` in autocommit mode (the engine
    emits BEGIN itself) with no busy wait inside SQLite (see `_patiently`)."""

    async def connect() -> InlineConnection:
        return open_connection(path, uri=uri)

    return connect


def open_connection(path: str, *, uri: bool = False) -> InlineConnection:
    """A connection in autocommit mode, which never waits inside SQLite (see `_patiently`)."""
    connection = sqlite3.connect(
        path, uri=uri, isolation_level=None, check_same_thread=False, timeout=0
    )
    return InlineConnection(connection)
