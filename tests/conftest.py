"""Fixtures: each backend gets a fresh migrated database and a real server on a free port.

PostgreSQL runs when TOOLBOX_TEST_POSTGRES_URL is set (an admin URL such as
postgresql+asyncpg://postgres@127.0.0.1:5432/test); with TOOLBOX_TEST_REQUIRE_ALL=1 (as in CI) a
missing PostgreSQL or browser is an error instead of a skip.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from starlette.routing import Router

from tests.mailing import mailing, smtp_server  # noqa: F401 - fixtures, for the tests reading mail
from tests.servers import LiveServer, migrated_database
from toolbox.db import Database
from toolbox.routes import routes
from toolbox.urls import use_router

# The service tests' rolled-back sessions (`session`, `service_engine`).
pytest_plugins = ["tests.transactions"]

POSTGRES_URL = os.environ.get("TOOLBOX_TEST_POSTGRES_URL", "")
REQUIRE_ALL = os.environ.get("TOOLBOX_TEST_REQUIRE_ALL") == "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if REQUIRE_ALL and not POSTGRES_URL:
        raise pytest.UsageError("TOOLBOX_TEST_REQUIRE_ALL=1 but TOOLBOX_TEST_POSTGRES_URL is unset")


@pytest.fixture(scope="session", autouse=True)
def router() -> None:
    """What `create_app` does for the code that builds URLs (mail, calendars) when a test calls
    it in this process, without an app."""
    use_router(Router(routes()))


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres" and not POSTGRES_URL:
        pytest.skip("set TOOLBOX_TEST_POSTGRES_URL to run on PostgreSQL")
    return str(request.param)


@pytest.fixture(scope="session")
async def database_url(backend: str) -> AsyncIterator[str]:
    with tempfile.TemporaryDirectory(prefix="toolbox-test-") as directory:
        async with migrated_database(backend, directory, POSTGRES_URL) as url:
            yield url


@pytest.fixture(scope="session")
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


@pytest.fixture(scope="session")
def server(database_url: str) -> Iterator[LiveServer]:
    live = LiveServer(database_url)
    live.start()
    yield live
    live.stop()


@pytest.fixture
async def client(server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=20) as http:
        yield http
