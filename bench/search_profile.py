"""Search over a big board, in process: where a query's time goes, on SQLite and PostgreSQL.

bench/pages.py measures the search as a room gets it (uvicorn, a socket, one query at a time);
this measures the same queries (bench/pages_data.py's `first_queries`) on the same 10,000-card
board in this process, to see the costs that bench/pages.py's figure is made of:

- **service**: `search_cards` alone, on a read session, CPU (`time.process_time`) and wall time;
- **API**: the search API's GET through httpx's ASGI transport, the app's lifespan running (the
  middleware, the token, the JSON document), CPU and wall time; its kept results are forgotten
  before each round, so that every query is computed;
- `--profile`: cProfile over one round of API GETs, the costliest functions;
- `--explain`: each statement a search runs, with its plan (PostgreSQL's `EXPLAIN ANALYZE`,
  SQLite's `EXPLAIN QUERY PLAN`), for a broad query and a narrow one.

    .venv/bin/python bench/search_profile.py [--database sqlite|ADMIN_URL] [--rounds 5]
        [--keep] [--url URL] [--profile] [--explain]

Populating 10,000 cards takes a minute or two: `--keep` keeps the database made (its URL is
printed; a SQLite file in /tmp, a PostgreSQL database to drop by hand) and `--url` measures
one kept earlier.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import io
import pstats
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import percentile, prepared_database  # noqa: E402
from bench.pages_data import BIG_SLUG, PARTICIPANT, first_queries, populate  # noqa: E402

_KEPT: list[contextlib.AbstractContextManager[str]] = []


@contextlib.contextmanager
def database(args: argparse.Namespace) -> Iterator[str]:
    """The populated database to measure: `--url`'s, or one made now (kept with `--keep`)."""
    if args.url:
        yield args.url
        return
    if args.keep:
        directory = tempfile.mkdtemp(prefix="toolbox-search-")
        made = prepared_database(args.database, directory)
        url = made.__enter__()
        _KEPT.append(made)  # never left, so neither the file nor the database is dropped
        print(f"kept: {url}")
    else:
        stack = contextlib.ExitStack()
        directory = stack.enter_context(tempfile.TemporaryDirectory(prefix="toolbox-search-"))
        url = stack.enter_context(prepared_database(args.database, directory))
    if not args.url:
        started = time.perf_counter()
        asyncio.run(populate(url, args.cards))
        print(f"populated in {time.perf_counter() - started:.1f} s")
    try:
        yield url
    finally:
        if not args.keep:
            stack.close()


async def timed(call: Callable[[], Awaitable[Any]]) -> tuple[float, float]:
    """(CPU ms, wall ms) of one awaited call."""
    cpu, wall = time.process_time(), time.perf_counter()
    await call()
    return (time.process_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000


def summary(name: str, samples: list[tuple[float, float]]) -> str:
    cpu, wall = [s[0] for s in samples], [s[1] for s in samples]
    return (
        f"{name:<8} CPU p50 {percentile(cpu, 50):6.2f} p99 {percentile(cpu, 99):6.2f} ms   "
        f"wall p50 {percentile(wall, 50):6.2f} p99 {percentile(wall, 99):6.2f} ms   "
        f"({len(samples)} queries)"
    )


async def measure(url: str, args: argparse.Namespace) -> None:
    from sqlalchemy import select

    from toolbox.accounts.models import User
    from toolbox.accounts.services import create_api_token
    from toolbox.app import create_app
    from toolbox.board.access import board_access
    from toolbox.board.search import SearchFilters, search_cards
    from toolbox.db import Database
    from toolbox.settings import Settings

    queries = first_queries(args.queries)
    db = Database(url)
    async with db.write() as session:
        participant = await session.scalar(select(User).where(User.email == PARTICIPANT))
        assert participant is not None, f"{url} was not populated by bench/pages_data.py"
        token = await create_api_token(session, participant, name="search_profile")

    async def service(query: str) -> None:
        async with db.read() as session:
            access = await board_access(session, BIG_SLUG, participant)
            await search_cards(session, access, SearchFilters(query=query))

    settings = Settings(database_url=url, secret_key="bench", base_url="http://bench")  # noqa: S106
    app = create_app(settings)
    headers = {"Authorization": f"Bearer {token}"}
    api = [f"/api/v1/boards/{BIG_SLUG}/search?q={quote(query)}" for query in queries]
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:

            async def get(path: str) -> None:
                (await http.get(path, headers=headers)).raise_for_status()

            async def forget() -> None:
                # The kept renderings: a search asked again in a later round is computed again.
                app.state.renderings._cache.clear()

            await service(queries[0])  # statements compiled, pools opened
            await get(api[0])
            await forget()
            services: list[tuple[float, float]] = []
            apis: list[tuple[float, float]] = []
            for _round in range(args.rounds):
                for query in queries:
                    services.append(await timed(lambda q=query: service(q)))  # type: ignore[misc]
                await forget()
                for path in api:
                    apis.append(await timed(lambda p=path: get(p)))  # type: ignore[misc]
            print(summary("service", services))
            print(summary("API", apis))
            if args.profile:
                await forget()
                profiler = cProfile.Profile()
                profiler.enable()
                for path in api:
                    await get(path)
                profiler.disable()
                out = io.StringIO()
                stats = pstats.Stats(profiler, stream=out)
                stats.sort_stats("tottime").print_stats(25)
                stats.sort_stats("cumulative").print_stats(40)
                print(out.getvalue())
    if args.explain:
        await explain(db, service)
    await db.dispose()


async def explain(db: Any, service: Callable[[str], Awaitable[None]]) -> None:
    """Each statement a broad and a narrow search run, with its plan. The search's own reads go
    to the driver (`toolbox.db.all_rows`), past SQLAlchemy's events: they are seen here."""
    from sqlalchemy import event

    from toolbox import db as db_module
    from toolbox.board import records, search

    seen: list[tuple[str, Any]] = []

    def keep(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters))

    async def kept_rows(session: Any, statement: Any, parameters: Any) -> Any:
        read = db_module._compiled(statement, session.get_bind().dialect)
        seen.append((read.sql, tuple(read.arguments(parameters))))
        return await db_module.all_rows(session, statement, parameters)

    search.all_rows = records.all_rows = kept_rows  # type: ignore[assignment]
    plan = "EXPLAIN QUERY PLAN " if db.is_sqlite else "EXPLAIN (ANALYZE, BUFFERS) "
    try:
        for query in ("ecoconception", "données ouvertes Laval"):
            seen.clear()
            event.listen(db.engine.sync_engine, "before_cursor_execute", keep)
            await service(query)
            event.remove(db.engine.sync_engine, "before_cursor_execute", keep)
            print(f"--- {query!r}: {len(seen)} statements")
            async with db.engine.connect() as connection:
                for statement, parameters in seen:
                    print(statement)
                    result = await connection.exec_driver_sql(plan + statement, parameters)
                    for row in result:
                        print("   ", " | ".join(str(value) for value in row))
    finally:
        search.all_rows = records.all_rows = db_module.all_rows  # type: ignore[assignment]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="sqlite", help="sqlite, or a PostgreSQL admin URL")
    parser.add_argument("--url", help="a database populated earlier (with --keep)")
    parser.add_argument("--keep", action="store_true", help="keep the database made")
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=36)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="cProfile one round of the API")
    parser.add_argument("--explain", action="store_true", help="each statement's plan")
    args = parser.parse_args()
    with database(args) as url:
        asyncio.run(measure(url, args))


if __name__ == "__main__":
    main()
