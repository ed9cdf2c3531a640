"""Empty, migrated databases of the session's backend, one per test that needs one: imports and
restores must be checked against boards nobody else's test touched."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from tests.servers import migrated_database
from toolbox.db import Database

POSTGRES_URL = os.environ.get("TOOLBOX_TEST_POSTGRES_URL", "")


@asynccontextmanager
async def empty_database(backend: str, directory: Path) -> AsyncIterator[str]:
    await asyncio.to_thread(directory.mkdir, exist_ok=True)
    async with migrated_database(backend, str(directory), POSTGRES_URL) as url:
        yield url


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
