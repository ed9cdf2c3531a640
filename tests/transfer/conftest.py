"""Empty, migrated databases of the session's backend, one per test that needs one: imports and
restores must be checked against boards nobody else's test touched."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from tests.servers import create_postgres_database, drop_postgres_database, sqlite_url
from toolbox.db import Database
from toolbox.schema import upgrade

POSTGRES_URL = os.environ.get("TOOLBOX_TEST_POSTGRES_URL", "")


@asynccontextmanager
async def empty_database(backend: str, directory: Path) -> AsyncIterator[str]:
    if backend == "sqlite":
        await asyncio.to_thread(directory.mkdir, exist_ok=True)
        url = sqlite_url(str(directory))
        await asyncio.to_thread(upgrade, url)
        yield url
        return
    url, name = await create_postgres_database(POSTGRES_URL)
    try:
        await asyncio.to_thread(upgrade, url)
        yield url
    finally:
        await drop_postgres_database(POSTGRES_URL, name)


@pytest.fixture
async def empty_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    async with empty_database(backend, tmp_path / "first") as url:
        yield url


@pytest.fixture
async def other_empty_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    async with empty_database(backend, tmp_path / "second") as url:
        yield url


@pytest.fixture
async def empty_db(empty_url: str) -> AsyncIterator[Database]:
    database = Database(empty_url)
    yield database
    await database.dispose()
