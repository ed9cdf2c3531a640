"""Contention: many participants book the same slot at the same moment, over HTTP.

Exactly `capacity` requests may get 201; every other one must get a clean 409 (`slot_full`),
and none a 5xx. Latency runs from sending a request (on a connection opened beforehand) to
reading the whole answer.

Three bursts of `participants` requests on one server, in this order:
- **cold**: the first crowd after the server started books slot A (its pool still empty, its
  templates not yet compiled): what the first race of the day costs;
- **read baseline**: the same people ask for the slot list at once (a read-only route), the
  yardstick measured in the same run on the same server;
- **warm**: the same crowd races for slot B, on a server that has served the two bursts above,
  as it has when a room of people who have the brigade page open press "Book" together. The
  target is judged on this one; the cold figures are printed beside it;
- **bare**: the same crowd, on the same database, against a bare Starlette handler making the
  same conditional UPDATE (bench/bare_booking.py) under the same uvicorn, after a warm-up race
  of its own. Issue 16's target: the app's warm p99 ≤ 1.5 × this one's.

    .venv/bin/python bench/contention.py [--participants 200] [--capacity 1]
        [--database sqlite|URL] [--workers N]

`--workers N` (PostgreSQL only) runs N server processes sharing the Redis bus, as a regional
network does (DESIGN.md §5); one process is the default, as on a laptop.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import (  # noqa: E402
    AppServer,
    percentile,
    pin_load_generator,
    prepared_database,
    tree_cpu_seconds,
)
from toolbox.accounts.services import create_api_token, create_user  # noqa: E402
from toolbox.board.access import access_to  # noqa: E402
from toolbox.board.members import set_membership  # noqa: E402
from toolbox.board.models import Role, Visibility  # noqa: E402
from toolbox.board.schemas import BoardIn  # noqa: E402
from toolbox.board.services import create_board  # noqa: E402
from toolbox.brigade.claims import claim_slot  # noqa: E402
from toolbox.brigade.schedule import create_slot  # noqa: E402
from toolbox.brigade.schemas import SlotIn  # noqa: E402
from toolbox.db import Database  # noqa: E402

BARE = "bench.bare_booking:app"
P99_VS_BARE_TARGET = 1.5
REDIS_URL = os.environ.get("TOOLBOX_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


async def populate(url: str, participants: int, capacity: int) -> tuple[str, list[int], list[str]]:
    """A board, four claimed slots an hour apart (the app's cold and warm races, the bare
    handler's warm-up and measured races),
    and `participants` people with API tokens (no passwords, so no slow hashing: they only use
    tokens)."""
    db = Database(url)
    try:
        async with db.write() as session:
            facilitator = await create_user(session, "bench-fac@example.org", is_admin=True)
            expert = await create_user(session, "bench-expert@example.org")
            board = await create_board(
                session,
                facilitator,
                BoardIn(slug="contention", title="Contention", visibility=Visibility.public),
                default_timezone="America/Toronto",
                facilitator=facilitator,
            )
            await set_membership(session, board, expert, Role.expert)
            access = await access_to(session, board, facilitator)
            slot_ids = []
            for hours in (24, 25, 26, 27):
                starts = datetime.now(UTC) + timedelta(hours=hours)
                slot = await create_slot(
                    session,
                    access,
                    SlotIn(
                        starts_at=starts,
                        ends_at=starts + timedelta(minutes=45),
                        capacity=capacity,
                    ),
                )
                await session.flush()
                await claim_slot(session, access, slot.id, expert.id)
                slot_ids.append(slot.id)
            tokens = []
            for n in range(participants):
                person = await create_user(session, f"bench-p{n}@example.org")
                await set_membership(session, board, person, Role.participant)
                tokens.append(await create_api_token(session, person))
            return board.slug, slot_ids, tokens
    finally:
        await db.dispose()


#: method, path, JSON body, API token
Request = tuple[str, str, dict[str, object] | None, str]


async def burst(port: int, requests: list[Request]) -> list[tuple[int, float]]:
    """All requests at once, each on its own connection opened beforehand; (status, seconds).

    The client is plain asyncio streams and prepared bytes: an HTTP library here would spend
    more CPU per request than the server does, on the same two cores, and time itself."""
    prepared = [_request_bytes(port, *request) for request in requests]
    streams = [await asyncio.open_connection("127.0.0.1", port) for _ in prepared]
    start = asyncio.Event()

    async def one(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
    ) -> tuple[int, float]:
        await start.wait()
        began = time.perf_counter()
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(re.search(rb"(?i)content-length: *(\d+)", head)[1])  # type: ignore[index]
        await reader.readexactly(length)
        elapsed = time.perf_counter() - began
        writer.close()
        return int(head.split(b" ", 2)[1]), elapsed

    tasks = [
        asyncio.create_task(one(reader, writer, request))
        for (reader, writer), request in zip(streams, prepared, strict=True)
    ]
    await asyncio.sleep(0.2 if len(tasks) > 1 else 0)
    start.set()
    return await asyncio.gather(*tasks)


def _request_bytes(
    port: int, method: str, path: str, body: dict[str, object] | None, token: str
) -> bytes:
    content = json.dumps(body).encode() if body is not None else b""
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(content)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + content


def summary(results: list[tuple[int, float]]) -> dict[str, float]:
    times = [seconds * 1000 for _status, seconds in results]
    return {
        "p50_ms": round(percentile(times, 50), 1),
        "p99_ms": round(percentile(times, 99), 1),
        "mean_ms": round(statistics.fmean(times), 1),
    }


def _race(slot_id: int, tokens: list[str], race: str) -> list[Request]:
    return [
        (
            "POST",
            f"/api/v1/slots/{slot_id}/bookings",
            {"need": "Un plan numérique", "organisation": f"Organisme {race} {n}"},
            token,
        )
        for n, token in enumerate(tokens)
    ]


def _measured(server: AppServer, requests: list[Request]) -> tuple[list[tuple[int, float]], float]:
    """The burst's results, and the server's CPU per request (ms) while it ran: the cost of one
    answer, which the latencies of a crowd multiply."""
    assert server.process is not None
    before = tree_cpu_seconds(server.process.pid)
    results = asyncio.run(burst(server.port, requests))
    time.sleep(0.5)  # what the answers set off (the winner's mail, the live cells) counts too
    cpu = tree_cpu_seconds(server.process.pid) - before
    return results, round(cpu * 1000 / len(requests), 2)


def _outcome(results: list[tuple[int, float]], capacity: int) -> dict[str, object]:
    statuses = [status for status, _seconds in results]
    booked, refused = statuses.count(201), statuses.count(409)
    errors = [status for status in statuses if status >= 500]
    return {
        "201": booked,
        "409": refused,
        "5xx": len(errors),
        "correct": booked == capacity and refused == len(statuses) - capacity and not errors,
        **summary(results),
    }


def run_one(database: str, participants: int, capacity: int, workers: int) -> dict[str, object]:
    with (
        tempfile.TemporaryDirectory(prefix="toolbox-contention-") as directory,
        prepared_database(database, directory) as url,
    ):
        slug, slots, tokens = asyncio.run(populate(url, participants, capacity))
        cold_slot, warm_slot, bare_cold_slot, bare_slot = slots
        env = {"TOOLBOX_BROADCAST_URL": REDIS_URL} if workers > 1 else {}
        with AppServer(url, env=env, workers=workers) as server:
            cold, cold_cpu = _measured(server, _race(cold_slot, tokens, "A"))
            reads, read_cpu = _measured(
                server, [("GET", f"/api/v1/boards/{slug}/slots", None, t) for t in tokens]
            )
            warm, warm_cpu = _measured(server, _race(warm_slot, tokens, "B"))
        # The yardstick: the same UPDATE, bare, on the same database, warmed up the same way.
        with AppServer(url, env=env, workers=workers, target=BARE) as bare_server:
            _measured(bare_server, _race(bare_cold_slot, tokens, "C"))
            bare, bare_cpu = _measured(bare_server, _race(bare_slot, tokens, "D"))
    cold_outcome = {**_outcome(cold, capacity), "server_cpu_ms_per_request": cold_cpu}
    warm_outcome = {**_outcome(warm, capacity), "server_cpu_ms_per_request": warm_cpu}
    baseline = {**summary(reads), "server_cpu_ms_per_request": read_cpu}
    bare_outcome = {**_outcome(bare, capacity), "server_cpu_ms_per_request": bare_cpu}
    return {
        "database": "sqlite" if database == "sqlite" else "postgresql",
        "workers": workers,
        "participants": participants,
        "capacity": capacity,
        "correct": bool(
            cold_outcome["correct"] and warm_outcome["correct"] and bare_outcome["correct"]
        ),
        "warm": warm_outcome,
        "cold": cold_outcome,
        "baseline_read": baseline,
        "p99_ratio": round(summary(warm)["p99_ms"] / max(baseline["p99_ms"], 0.1), 2),
        "bare_update": bare_outcome,
        # Issue 16's target: the app's warm p99 within 1.5x the bare UPDATE's, same run.
        "p99_vs_bare": round(summary(warm)["p99_ms"] / max(summary(bare)["p99_ms"], 0.1), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=200)
    parser.add_argument("--capacity", type=int, default=1)
    parser.add_argument("--workers", type=int, default=1, help="server processes (PostgreSQL)")
    parser.add_argument(
        "--database",
        action="append",
        help="sqlite, or a PostgreSQL admin URL (a throwaway database is made in it); "
        "default: sqlite and postgresql+asyncpg://postgres@127.0.0.1:5432/test",
    )
    args = parser.parse_args()
    pin_load_generator()
    databases = args.database or ["sqlite", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"]
    results = []
    for database in databases:
        # SQLite is one process (its bus is in memory); several only share PostgreSQL.
        workers = 1 if database == "sqlite" else args.workers
        results.append(run_one(database, args.participants, args.capacity, workers))
    print(
        f"{'database':<11} {'proc':>4} {'201':>4} {'409':>4} {'5xx':>4}  {'p50 ms':>7} "
        f"{'p99 ms':>7}  {'bare p99':>8}  /bare  {'read p99':>8}  {'cold p50':>8} {'cold p99':>8}  "
        f"{'CPU ms/req book/read/cold':>25}  correct"
    )
    for r in results:
        warm, cold, read, bare = r["warm"], r["cold"], r["baseline_read"], r["bare_update"]
        assert isinstance(warm, dict) and isinstance(cold, dict) and isinstance(read, dict)
        assert isinstance(bare, dict)
        print(
            f"{r['database']:<11} {r['workers']:>4} {warm['201']:>4} {warm['409']:>4} "
            f"{warm['5xx']:>4}  {warm['p50_ms']:>7} {warm['p99_ms']:>7}  {bare['p99_ms']:>8}  "
            f"{r['p99_vs_bare']:>5}  {read['p99_ms']:>8}  {cold['p50_ms']:>8} {cold['p99_ms']:>8}  "
            f"{warm['server_cpu_ms_per_request']:>9} / {read['server_cpu_ms_per_request']} / "
            f"{cold['server_cpu_ms_per_request']}  {r['correct']}"
        )
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    (out / f"contention-{stamp}.json").write_text(json.dumps(results, indent=2))
    for r in results:
        met = float(str(r["p99_vs_bare"])) <= P99_VS_BARE_TARGET
        print(
            f"target {r['database']}: warm p99 <= {P99_VS_BARE_TARGET}x the bare UPDATE's: "
            f"{'met' if met else 'MISSED'}"
        )
    if not all(r["correct"] for r in results):
        sys.exit("contention: the wrong number of bookings went through")


if __name__ == "__main__":
    os.environ.setdefault("TOOLBOX_SECRET_KEY", "bench")
    main()
