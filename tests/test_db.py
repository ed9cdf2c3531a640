"""The database's doors: reads that cannot write, Core reads on the same pool, and PostgreSQL
connections that are checked only when they sat idle (toolbox.db)."""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator

import asyncpg
import pytest
from sqlalchemy import func, select, text

from tests.servers import migrated_database
from toolbox.accounts.models import User
from toolbox.db import Database, ReadOnlySession
from toolbox.settings import Settings, SettingsError

POSTGRES_URL = os.environ.get("TOOLBOX_TEST_POSTGRES_URL", "")


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    if not POSTGRES_URL:
        pytest.skip("set TOOLBOX_TEST_POSTGRES_URL to run on PostgreSQL")
    with tempfile.TemporaryDirectory(prefix="toolbox-db-") as directory:
        async with migrated_database("postgres", directory, POSTGRES_URL) as url:
            yield url


async def test_a_change_made_while_reading_is_refused_and_not_written(db: Database) -> None:
    with pytest.raises(ReadOnlySession):
        async with db.read() as session:
            session.add(User(email="read-only@example.org"))
            await session.flush()
    async with db.read() as session:
        found = await session.scalar(
            select(func.count()).where(User.email == "read-only@example.org")
        )
    assert found == 0


@pytest.mark.postgres
async def test_postgresql_reads_take_no_transaction(postgres_url: str) -> None:
    """In autocommit, each statement has its own transaction: `now()` moves between two of them
    (inside one transaction it would not)."""
    database = Database(postgres_url)
    try:
        async with database.read() as session:
            first = await session.scalar(text("SELECT now()"))
            await asyncio.sleep(0.02)
            second = await session.scalar(text("SELECT now()"))
        assert second > first
        async with database.write() as session:  # writes keep their transaction
            first = await session.scalar(text("SELECT now()"))
            await asyncio.sleep(0.02)
            second = await session.scalar(text("SELECT now()"))
        assert second == first
    finally:
        await database.dispose()


@pytest.mark.postgres
async def test_a_connection_the_server_closed_while_idle_is_replaced(postgres_url: str) -> None:
    database = Database(postgres_url, idle_before_ping=0.05)
    try:
        async with database.read() as session:
            before = await session.scalar(text("SELECT pg_backend_pid()"))
        # The server ends that backend while the connection waits in the pool (a restart, an
        # idle timeout, an administrator).
        admin = await asyncpg.connect(POSTGRES_URL.replace("postgresql+asyncpg", "postgresql"))
        try:
            assert await admin.fetchval("SELECT pg_terminate_backend($1)", before)
        finally:
            await admin.close()
        await asyncio.sleep(0.1)
        async with database.read() as session:
            after = await session.scalar(text("SELECT pg_backend_pid()"))
        assert after != before
    finally:
        await database.dispose()


@pytest.mark.postgres
async def test_a_core_read_answers_after_the_server_ended_its_connection(
    postgres_url: str,
) -> None:
    """`Database.first_row` on a pooled connection the server closed a moment ago (too recently
    for the idle ping): SQLAlchemy invalidates the pool and the read is asked again, so the
    request that meets it does not fail. And it is the one pool: no connection of its own."""
    database = Database(postgres_url)
    backend = select(func.pg_backend_pid())
    try:
        first = await database.first_row(backend)
        assert first is not None
        assert database.engine.pool.checkedin() == 1  # type: ignore[attr-defined]
        admin = await asyncpg.connect(POSTGRES_URL.replace("postgresql+asyncpg", "postgresql"))
        try:
            assert await admin.fetchval("SELECT pg_terminate_backend($1)", first[0])
        finally:
            await admin.close()
        for _ in range(3):
            again = await database.first_row(backend)
            assert again is not None and again[0] != first[0]
    finally:
        await database.dispose()


@pytest.mark.postgres
async def test_the_pool_holds_the_operators_number_of_connections(postgres_url: str) -> None:
    """`TOOLBOX_DATABASE_POOL_SIZE` connections at most: one more request waits for a free one
    rather than opening another."""
    settings = Settings.from_env({"TOOLBOX_DATABASE_POOL_SIZE": "2"})
    database = Database(postgres_url, pool_size=settings.database_pool_size)
    backends: set[int] = set()

    async def hold() -> None:
        async with database.read() as session:
            backends.add(await session.scalar(text("SELECT pg_backend_pid()")))
            await asyncio.sleep(0.05)

    try:
        await asyncio.gather(*(hold() for _ in range(6)))
        assert len(backends) == 2
        assert database.engine.pool.checkedin() == 2  # type: ignore[attr-defined]
    finally:
        await database.dispose()


@pytest.mark.parametrize("value", ["0", "101", "many", "-3"])
def test_a_pool_size_out_of_range_is_refused_with_a_sentence(value: str) -> None:
    with pytest.raises(SettingsError, match="TOOLBOX_DATABASE_POOL_SIZE must be a number"):
        Settings.from_env({"TOOLBOX_DATABASE_POOL_SIZE": value})
    assert Settings.from_env({}).database_pool_size == 5
