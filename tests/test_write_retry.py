"""A deadlock on PostgreSQL, provoked for real (two transactions locking two rows in opposite
orders), is retried once: through the unit of work (`Database.transaction`) and through a whole
request (`RetryWriteMiddleware`), and neither caller sees an error."""

from __future__ import annotations

import asyncio
import json
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.conftest import POSTGRES_URL
from tests.servers import migrated_database
from toolbox.db import Database, is_retryable, sqlstate
from toolbox.middleware import RetryWriteMiddleware

pytestmark = pytest.mark.postgres

Work = Callable[[AsyncSession], Awaitable[int]]


@pytest.fixture(scope="module")
async def postgres() -> AsyncIterator[Database]:
    assert POSTGRES_URL, "TOOLBOX_TEST_POSTGRES_URL is needed: deadlocks are PostgreSQL's"
    with tempfile.TemporaryDirectory() as directory:
        async with migrated_database("postgres", directory, POSTGRES_URL) as url:
            database = Database(url)
            async with database.write() as session:
                await session.execute(text("CREATE TABLE probe (id INTEGER PRIMARY KEY, n INT)"))
            yield database
            await database.dispose()


async def _reset(db: Database) -> None:
    async with db.write() as session:
        await session.execute(text("DELETE FROM probe"))
        await session.execute(text("INSERT INTO probe VALUES (1, 0), (2, 0)"))


def _crossing(attempts: list[str]) -> Callable[[str, int, int], Work]:
    """Work that locks `first`, waits until the other transaction holds its own first row (on
    the first attempt only), then locks `second`: the two wait for each other, and "a" is
    rolled back to break it."""
    both_hold_one = asyncio.Barrier(2)

    def work(name: str, first: int, second: int) -> Work:
        async def run(session: AsyncSession) -> int:
            attempts.append(name)
            if name == "b":
                # PostgreSQL's check runs in each waiting transaction after deadlock_timeout; on
                # a loaded machine both could find the cycle and both be rolled back. Here only
                # "a" looks (after 1 s), so "a" is the one rolled back, every time.
                await session.execute(text("SET LOCAL deadlock_timeout = '30s'"))
            bump = text("UPDATE probe SET n = n + 1 WHERE id = :id")
            await session.execute(bump, {"id": first})
            if attempts.count(name) == 1:
                await both_hold_one.wait()
            await session.execute(bump, {"id": second})
            return attempts.count(name)

        return run

    return work


async def _counts(db: Database) -> dict[int, int]:
    async with db.read() as session:
        rows = await session.execute(text("SELECT id, n FROM probe ORDER BY id"))
        return {row.id: row.n for row in rows}


async def test_the_crossing_is_a_real_deadlock(postgres: Database) -> None:
    await _reset(postgres)
    work = _crossing([])

    async def once(name: str, first: int, second: int) -> int:
        async with postgres.write() as session:
            return await work(name, first, second)(session)

    results = await asyncio.gather(once("a", 1, 2), once("b", 2, 1), return_exceptions=True)
    failures = [result for result in results if isinstance(result, BaseException)]
    assert len(failures) == 1
    assert isinstance(failures[0], DBAPIError)
    assert sqlstate(failures[0]) == "40P01"
    assert is_retryable(failures[0])
    assert await _counts(postgres) == {1: 1, 2: 1}  # the loser wrote nothing


async def test_the_unit_of_work_retries_a_deadlock_once(postgres: Database) -> None:
    await _reset(postgres)
    attempts: list[str] = []
    work = _crossing(attempts)
    runs = await asyncio.gather(
        postgres.transaction(work("a", 1, 2)), postgres.transaction(work("b", 2, 1))
    )
    assert runs == [2, 1]  # "a" went through at its second try, "b" at once
    assert attempts.count("a") == 2 and attempts.count("b") == 1
    assert await _counts(postgres) == {1: 2, 2: 2}


async def test_a_request_that_deadlocks_is_made_again(postgres: Database) -> None:
    await _reset(postgres)
    attempts: list[str] = []
    work = _crossing(attempts)

    async def bump(request: Request) -> JSONResponse:
        body = json.loads(await request.body())  # read again from what was kept, on a replay
        async with postgres.write() as session:
            tries = await work(body["name"], body["first"], body["second"])(session)
        return JSONResponse({"tries": tries})

    app = Starlette(
        routes=[Route("/bump", bump, methods=["POST"])],
        middleware=[Middleware(RetryWriteMiddleware)],
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        answers = await asyncio.gather(
            http.post("/bump", json={"name": "a", "first": 1, "second": 2}),
            http.post("/bump", json={"name": "b", "first": 2, "second": 1}),
        )
    assert [answer.status_code for answer in answers] == [200, 200]
    assert [answer.json()["tries"] for answer in answers] == [2, 1]
    assert await _counts(postgres) == {1: 2, 2: 2}


async def test_a_request_that_deadlocks_twice_is_a_409_with_a_sentence(
    postgres: Database,
) -> None:
    """Another connection makes the request its deadlock's victim at each of its two tries."""
    await _reset(postgres)
    ready = asyncio.Event()  # the other connection holds row 2
    holding = asyncio.Event()  # the request holds row 1
    tries = 0

    async def bump(request: Request) -> JSONResponse:
        nonlocal tries
        tries += 1
        await ready.wait()
        ready.clear()
        async with postgres.write() as session:
            await session.execute(text("UPDATE probe SET n = n + 1 WHERE id = 1"))
            holding.set()
            await session.execute(text("UPDATE probe SET n = n + 1 WHERE id = 2"))
        return JSONResponse({})

    async def other_connection() -> None:
        for _ in range(2):
            async with postgres.write() as session:
                await session.execute(text("SET LOCAL deadlock_timeout = '30s'"))  # see _crossing
                await session.execute(text("UPDATE probe SET n = n + 10 WHERE id = 2"))
                ready.set()
                await holding.wait()
                holding.clear()
                # Only the request checks for the deadlock soon: it is the one rolled back,
                # and this one gets row 1.
                await asyncio.sleep(0.3)
                await session.execute(text("UPDATE probe SET n = n + 10 WHERE id = 1"))

    app = Starlette(
        routes=[Route("/bump", bump, methods=["POST"])],
        middleware=[Middleware(RetryWriteMiddleware)],
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        answer, _ = await asyncio.gather(http.post("/bump", json={}), other_connection())
    assert tries == 2
    assert answer.status_code == 409
    assert answer.json()["error"] == {
        "code": "conflict",
        # No request context in this bare app: the default language.
        "message": "Quelqu’un a modifié la même chose au même moment; veuillez réessayer.",
    }
    assert await _counts(postgres) == {1: 20, 2: 20}  # the other's two, none of the request's
