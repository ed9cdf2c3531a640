"""Contention: many participants book the same slot at the same moment, over HTTP.

Exactly `capacity` requests may get 201; every other one must get a clean 409 (`slot_full`),
and none a 5xx. Latency runs from sending a request (on a connection opened beforehand) to
reading the whole answer. The latency of the booking requests is reported beside a baseline
measured in the same run on the same server: the same number of concurrent requests to a
read-only route (the slot list), so the ratio says what the race costs, whatever the machine.

    .venv/bin/python bench/contention.py [--participants 200] [--capacity 1] [--database sqlite|URL]
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

from bench.harness import AppServer, percentile, prepared_database  # noqa: E402
from toolbox.accounts.access import access_to  # noqa: E402
from toolbox.accounts.models import Role  # noqa: E402
from toolbox.accounts.services import create_api_token, create_user, set_membership  # noqa: E402
from toolbox.board.models import Visibility  # noqa: E402
from toolbox.board.schemas import BoardIn  # noqa: E402
from toolbox.board.services import create_board  # noqa: E402
from toolbox.brigade.claims import claim_slot  # noqa: E402
from toolbox.brigade.schedule import create_slot  # noqa: E402
from toolbox.brigade.schemas import SlotIn  # noqa: E402
from toolbox.db import Database  # noqa: E402


async def populate(url: str, participants: int, capacity: int) -> tuple[str, int, list[str]]:
    """A board, one claimed slot, and `participants` people with API tokens (no passwords, so
    no slow hashing: they only use tokens)."""
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
            starts = datetime.now(UTC) + timedelta(days=1)
            slot = await create_slot(
                session,
                access,
                SlotIn(starts_at=starts, ends_at=starts + timedelta(minutes=45), capacity=capacity),
            )
            await session.flush()
            await claim_slot(session, access, slot.id, expert.id)
            tokens = []
            for n in range(participants):
                person = await create_user(session, f"bench-p{n}@example.org")
                await set_membership(session, board, person, Role.participant)
                tokens.append(await create_api_token(session, person))
            return board.slug, slot.id, tokens
    finally:
        await db.dispose()


async def burst(
    port: int, requests: list[tuple[str, str, dict[str, object] | None, str]]
) -> list[tuple[int, float]]:
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


def run_one(database: str, participants: int, capacity: int) -> dict[str, object]:
    with (
        tempfile.TemporaryDirectory(prefix="toolbox-contention-") as directory,
        prepared_database(database, directory) as url,
    ):
        slug, slot_id, tokens = asyncio.run(populate(url, participants, capacity))
        with AppServer(url) as server:
            reads = asyncio.run(
                burst(
                    server.port,
                    [("GET", f"/api/v1/boards/{slug}/slots", None, token) for token in tokens],
                )
            )
            bookings = asyncio.run(
                burst(
                    server.port,
                    [
                        (
                            "POST",
                            f"/api/v1/slots/{slot_id}/bookings",
                            {"need": "Un plan numérique", "organisation": f"Organisme {n}"},
                            token,
                        )
                        for n, token in enumerate(tokens)
                    ],
                )
            )
    statuses = [status for status, _seconds in bookings]
    booked, refused = statuses.count(201), statuses.count(409)
    errors = [status for status in statuses if status >= 500]
    return {
        "database": "sqlite" if database == "sqlite" else "postgresql",
        "participants": participants,
        "capacity": capacity,
        "201": booked,
        "409": refused,
        "5xx": len(errors),
        "correct": booked == capacity and refused == participants - capacity and not errors,
        "booking": summary(bookings),
        "baseline_read": summary(reads),
        "p99_ratio": round(summary(bookings)["p99_ms"] / max(summary(reads)["p99_ms"], 0.1), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=200)
    parser.add_argument("--capacity", type=int, default=1)
    parser.add_argument(
        "--database",
        action="append",
        help="sqlite, or a PostgreSQL admin URL (a throwaway database is made in it); "
        "default: sqlite and postgresql+asyncpg://postgres@127.0.0.1:5432/test",
    )
    args = parser.parse_args()
    databases = args.database or ["sqlite", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"]
    results = [run_one(database, args.participants, args.capacity) for database in databases]
    print(
        f"{'database':<11} {'201':>4} {'409':>4} {'5xx':>4}  {'p50 ms':>7} {'p99 ms':>7}"
        f"  {'read p99':>8}  ratio  correct"
    )
    for r in results:
        booking, read = r["booking"], r["baseline_read"]
        assert isinstance(booking, dict) and isinstance(read, dict)
        print(
            f"{r['database']:<11} {r['201']:>4} {r['409']:>4} {r['5xx']:>4}  "
            f"{booking['p50_ms']:>7} {booking['p99_ms']:>7}  {read['p99_ms']:>8}  "
            f"{r['p99_ratio']:>5}  {r['correct']}"
        )
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    (out / f"contention-{stamp}.json").write_text(json.dumps(results, indent=2))
    if not all(r["correct"] for r in results):
        sys.exit("contention: the wrong number of bookings went through")


if __name__ == "__main__":
    os.environ.setdefault("TOOLBOX_SECRET_KEY", "bench")
    main()
