"""What one card move costs: the bytes it sends to a browser, and the CPU of the move request.

- **bytes**: the app under uvicorn (bench/harness.py's `AppServer`); a visitor's and a
  facilitator's websocket in the browsers' format (HTML for htmx, or the move's small message),
  and one in the JSON format; a facilitator moves a card from one column to the other through
  the API; the length in bytes of the frame each socket receives for that `card.moved`.
- **CPU per move**: the app in this process (`create_app`, httpx's ASGI transport, its
  lifespan running, so the event is published and the hub runs), `--moves` moves through the
  JSON API (`POST /api/v1/cards/{id}/move`) and as many through the form the board's drag and
  drop posts (`POST /b/{slug}/cards/{id}/move`), `time.process_time()` around each request;
  no socket is open, so this is the request and its publication, not the fan-out. That time
  holds httpx's own work too (building the request, reading the answer); "app" is the part
  spent inside the ASGI app, the server's. Also, the
  server process's CPU per move under uvicorn with the two browser sockets open (the request,
  and the rendering for those two audiences).

    .venv/bin/python bench/moves.py [--moves 200] [--database sqlite|ADMIN_URL] [--profile]

`--database` takes a PostgreSQL admin URL: a throwaway database is made in it and dropped after.
`--profile` prints cProfile's 25 costliest functions of the in-process moves.
Results go to bench/results/moves-*.json.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import uvloop
from websockets.asyncio.client import ClientConnection, connect

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.fanout import FAC, toolbox  # noqa: E402
from bench.harness import AppServer, percentile, prepared_database, tree_cpu_seconds  # noqa: E402

SLUG = "bench"
CARDS_PER_COLUMN = 12
TITLE = "Ressource {n} — inventaire des outils numériques"
TARGET_BYTES = 512
TARGET_CPU_MS = 2.0


def population(url: str) -> str:
    """A facilitator and a public board; returns the facilitator's API token."""
    env = {**os.environ, "TOOLBOX_DATABASE_URL": url, "TOOLBOX_SECRET_KEY": "bench"}
    toolbox(env, "user", "add", FAC, "--name", "Fac", "--password", "benchpass1", "--admin")
    toolbox(env, "board", "add", SLUG, "Bench", "--facilitator", FAC, "--public")
    return toolbox(env, "user", "token", FAC).splitlines()[-1].strip()


def columns_of(board: dict[str, Any]) -> list[list[int]]:
    return [[card["id"] for card in column["cards"]] for column in board["columns"]]


async def fill(http: httpx.AsyncClient, slug: str) -> tuple[list[int], dict[int, list[int]]]:
    columns: list[int] = []
    cards: dict[int, list[int]] = {}
    for title in ("À explorer", "Retenues pour l’atelier"):
        column = await http.post(f"/api/v1/boards/{slug}/columns", json={"title": title})
        columns.append(column.raise_for_status().json()["id"])
        cards[columns[-1]] = []
        for n in range(CARDS_PER_COLUMN):
            body = {"column_id": columns[-1], "title": TITLE.format(n=n)}
            card = (await http.post(f"/api/v1/boards/{slug}/cards", json=body)).raise_for_status()
            cards[columns[-1]].append(card.json()["id"])
    return columns, cards


def next_move(i: int, columns: list[int], cards: dict[int, list[int]]) -> tuple[int, int, int]:
    """Move i: the last card of one column to the middle of the other (card, column, index)."""
    target, source = columns[i % 2], columns[(i + 1) % 2]
    card_id = cards[source].pop()
    index = len(cards[target]) // 2
    cards[target].insert(index, card_id)
    return card_id, target, index


async def frame_for_move(ws: ClientConnection, seq: int) -> bytes:
    """The frame of event `seq` (presence frames are skipped)."""
    async with asyncio.timeout(10):
        while True:
            message = await ws.recv()
            data = message.encode() if isinstance(message, str) else message
            if b"presence" in data[:40]:
                continue
            if str(seq).encode() in data:
                return data


async def bytes_per_move(server: AppServer, token: str) -> dict[str, int]:
    auth = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=server.url, headers=auth) as http:
        columns, cards = await fill(http, SLUG)
        seq = (await http.get(f"/api/v1/boards/{SLUG}")).json()["seq"]
        base = f"ws://127.0.0.1:{server.port}/b/{SLUG}/ws"
        sockets = {
            "visitor": connect(base),
            "facilitator": connect(base, additional_headers=auth),
            "json": connect(f"{base}?format=json"),
        }
        opened = {name: await socket.__aenter__() for name, socket in sockets.items()}
        try:
            for ws in opened.values():
                await ws.send(json.dumps({"resume": seq}))
            await asyncio.sleep(0.3)
            card_id, target, index = next_move(0, columns, cards)
            (
                await http.post(
                    f"/api/v1/cards/{card_id}/move", json={"column_id": target, "index": index}
                )
            ).raise_for_status()
            return {name: len(await frame_for_move(ws, seq + 1)) for name, ws in opened.items()}
        finally:
            for socket in sockets.values():
                await socket.__aexit__(None, None, None)


async def server_cpu_per_move(server: AppServer, token: str, moves: int) -> float:
    """The uvicorn process's CPU per move (ms), with a visitor's and a facilitator's socket."""
    assert server.process is not None
    auth = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=server.url, headers=auth) as http:
        board = (await http.get(f"/api/v1/boards/{SLUG}")).json()
        columns = [column["id"] for column in board["columns"]]
        cards = dict(zip(columns, columns_of(board), strict=True))
        base = f"ws://127.0.0.1:{server.port}/b/{SLUG}/ws"
        async with connect(base) as visitor, connect(base, additional_headers=auth) as facilitator:
            for ws in (visitor, facilitator):
                await ws.send(json.dumps({"resume": board["seq"]}))

            async def drain(ws: ClientConnection) -> None:
                """Until every move's frame has come (presence frames are not counted)."""
                received = 0
                async for message in ws:
                    if "presence" not in str(message)[:40]:
                        received += 1
                        if received == moves:
                            return

            await asyncio.sleep(0.3)
            readers = [asyncio.create_task(drain(ws)) for ws in (visitor, facilitator)]
            began = tree_cpu_seconds(server.process.pid)
            for i in range(moves):
                card_id, target, index = next_move(i + 1, columns, cards)
                response = await http.post(
                    f"/api/v1/cards/{card_id}/move", json={"column_id": target, "index": index}
                )
                response.raise_for_status()
            async with asyncio.timeout(60):
                await asyncio.gather(*readers)
            spent = tree_cpu_seconds(server.process.pid) - began
    return spent * 1000 / moves


async def request_cpu_per_move(url: str, token: str, moves: int, profile: bool) -> dict[str, float]:
    """CPU (ms) of each move request in this process, the app's lifespan (bus, hub) running."""
    from toolbox.app import create_app
    from toolbox.settings import Settings

    app = create_app(Settings(database_url=url, secret_key="bench", base_url="http://bench"))  # noqa: S106
    auth = {"Authorization": f"Bearer {token}"}
    profiler = cProfile.Profile() if profile else None
    figures: dict[str, float] = {}
    in_app = [0.0]

    async def timed_app(scope: Any, receive: Any, send: Any) -> None:
        """The app, its CPU counted apart from httpx's (building the request, reading the
        answer), which is the client's work and not the server's."""
        began = time.process_time()
        try:
            await app(scope, receive, send)
        finally:
            in_app[0] += time.process_time() - began

    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=timed_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            board = (await http.get(f"/api/v1/boards/{SLUG}", headers=auth)).json()
            columns = [column["id"] for column in board["columns"]]
            cards = dict(zip(columns, columns_of(board), strict=True))
            for kind in ("api", "form"):
                costs: list[float] = []
                app_costs: list[float] = []
                for i in range(moves + 5):
                    card_id, target, index = next_move(i, columns, cards)
                    if kind == "api":
                        path = f"/api/v1/cards/{card_id}/move"
                        request = {"json": {"column_id": target, "index": index}, "headers": auth}
                    else:
                        path = f"/b/{SLUG}/cards/{card_id}/move"
                        request = {
                            "data": {"column_id": str(target), "position": str(index + 1)},
                            "headers": {**auth, "HX-Request": "true", "Origin": "http://bench"},
                        }
                    if profiler and i >= 5:
                        profiler.enable()
                    in_app[0] = 0.0
                    began = time.process_time()
                    response = await http.post(path, **request)
                    spent = time.process_time() - began
                    spent_in_app = in_app[0]
                    if profiler:
                        profiler.disable()
                    assert response.status_code < 400, (response.status_code, response.text)
                    await asyncio.sleep(0)  # the publication's task runs, outside the timing
                    if i >= 5:  # the first few compile statements and templates
                        costs.append(spent * 1000)
                        app_costs.append(spent_in_app * 1000)
                figures[f"{kind} p50"] = percentile(costs, 50)
                figures[f"{kind} mean"] = sum(costs) / len(costs)
                figures[f"{kind} app p50"] = percentile(app_costs, 50)
    if profiler:
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats("toolbox|sqlalchemy/(orm|engine)", 40)
        stats.sort_stats("tottime").print_stats(25)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=200)
    parser.add_argument("--database", default="sqlite")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as directory,
        prepared_database(args.database, directory) as url,
    ):
        token = population(url)
        with AppServer(url) as server:
            sizes = asyncio.run(bytes_per_move(server, token))
            served = asyncio.run(server_cpu_per_move(server, token, args.moves))
        # On the event loop the server runs on (uvicorn's, uvloop): the request's own CPU holds
        # the loop's work for its database round trips, which the standard library's loop
        # does at a higher cost.
        cpu = uvloop.run(request_cpu_per_move(url, token, args.moves, args.profile))
    database = "SQLite" if args.database == "sqlite" else "PostgreSQL"
    print(f"card move, {database}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    for name, size in sizes.items():
        met = "" if name == "json" else ("  met" if size <= TARGET_BYTES else "  MISSED")
        print(f"  frame to a {name:<11} socket: {size:>6} B  (target ≤ {TARGET_BYTES} B){met}")
    for name, value in cpu.items():
        print(f"  move request CPU, {name:<9}: {value:6.2f} ms  (target ≤ {TARGET_CPU_MS} ms)")
    print(f"  uvicorn process CPU per move, two browser sockets open: {served:.2f} ms")
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    path = results / f"moves-{time.strftime('%Y%m%d-%H%M%S')}.json"
    summary = {
        "database": database,
        "moves": args.moves,
        "frame_bytes": sizes,
        "request_cpu_ms": cpu,
        "server_cpu_ms_per_move": served,
        "targets": {"frame_bytes": TARGET_BYTES, "cpu_ms": TARGET_CPU_MS},
    }
    path.write_text(json.dumps(summary, indent=2) + "\n")
    print(f"results: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
