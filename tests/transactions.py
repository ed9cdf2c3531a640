"""Service tests: each test in a transaction that is rolled back after it, on both databases.

Warehouse's pattern (its tests/conftest.py): one connection per test holds an outer transaction
that is never committed, and the test's session joins it with
`join_transaction_mode="create_savepoint"`, so whatever the session commits or rolls back is
only a savepoint inside it. Nothing a test writes outlives it, and no test sees another's rows.

The schema is made once per test session and per database, by Alembic's upgrade as
`toolbox db upgrade` makes it, in a database of its own (the real-server tests keep theirs).
The engine is the app's (`toolbox.db.create_engine`): the same SQLite driver and pragmas
(foreign keys on), the same PostgreSQL pool.

Registered as a plugin by tests/conftest.py: the `backend` fixture there parametrises `session`,
so a test that asks for it runs on SQLite and, with TOOLBOX_TEST_POSTGRES_URL set, PostgreSQL.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import TypeVar

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tests.servers import migrated_database
from toolbox.db import create_engine
from toolbox.errors import DomainError

E = TypeVar("E", bound=DomainError)


@pytest.fixture(scope="session")
async def service_engine(backend: str) -> AsyncIterator[AsyncEngine]:
    admin_url = os.environ.get("TOOLBOX_TEST_POSTGRES_URL", "")
    with tempfile.TemporaryDirectory(prefix="toolbox-services-") as directory:
        async with migrated_database(backend, directory, admin_url) as url:
            engine = create_engine(url)
            yield engine
            await engine.dispose()


@pytest.fixture
async def session(service_engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session whose work is undone when the test ends, whatever the test did."""
    async with rolled_back(service_engine) as session:
        yield session


@asynccontextmanager
async def rolled_back(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session on a connection of its own whose outer transaction is rolled back at the end;
    the session's commits and rollbacks only end savepoints inside it."""
    async with engine.connect() as connection:
        outer = await connection.begin()
        session = AsyncSession(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        try:
            yield session
        finally:
            await session.close()
            await outer.rollback()


async def refused(
    session: AsyncSession, call: Awaitable[object], error: type[E], code: str | None = None
) -> E:
    """Run a service call that must fail, the way `Database.write()` runs it: in a transaction
    of its own (here a savepoint), undone when it raises. The test goes on in a session that
    knows nothing of the failed attempt, and can look at what the database kept.

    Returns the error, checked to be of type `error` (and to carry `code`, when given)."""
    with pytest.raises(error) as caught:
        async with session.begin_nested():
            await call
    if code is not None:
        assert caught.value.code == code, caught.value.message
    return caught.value
