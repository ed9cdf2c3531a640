"""A second server on the session's database, known to the world under another address
(`TOOLBOX_BASE_URL`), for what is read away from the page: permalinks' metadata, feeds."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from tests.servers import LiveServer

BASE_URL = "https://boite.example.org"


@pytest.fixture(scope="session")
def elsewhere(database_url: str) -> Iterator[LiveServer]:
    live = LiveServer(database_url, env={"TOOLBOX_BASE_URL": BASE_URL})
    live.start()
    yield live
    live.stop()


@pytest.fixture
async def reader(elsewhere: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=elsewhere.url, timeout=20) as http:
        yield http
