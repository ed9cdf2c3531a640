"""Which ASGI server the app should run on, by measurement (issue 16), in one run:

- uvicorn with `wsproto` and the frame writer the hub uses when a server offers it (what
  `toolbox serve` runs: toolbox/live/wire.py), then with each of uvicorn's own websocket
  implementations (`wsproto`; `websockets-sansio`; `websockets`, uvicorn's default), where
  the app sends through ASGI alone, hypercorn and granian (ASGI alone too), each serving
  the app and, separately, the do-nothing ASGI app of bench/fanout.py (`floor_app`): the memory
  any ASGI app costs per connection on that server;
- the bare `websockets` server, the yardstick for CPU per delivered message.

For each: memory per idle client, server CPU per delivered message (the move request
included), delivery p99 (K clients × M moves, bench/fanout.py's measure), and the board page's
req/s as a visitor with wrk (64 connections). Every server is pinned to the server core, the
clients and wrk to the other one.

    .venv/bin/python bench/servers.py [--clients K] [--moves M] [--seconds S] [--quick]

hypercorn and granian are the `bench` extra of pyproject.toml (`make bench` installs it).
Results go to bench/results/servers-*.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import fanout  # noqa: E402
from bench.harness import pin_load_generator, prepared_database  # noqa: E402
from bench.wrk import run_wrk  # noqa: E402
from toolbox.cli import WEBSOCKET_IMPLEMENTATION  # noqa: E402

HOST = fanout.HOST
PYTHON = fanout.PYTHON
UVICORN_OPTIONS = ["--ws-per-message-deflate", "false", "--ws-max-size", "65536"]
UVICORN_OPTIONS += ["--log-level", "warning", "--backlog", "4096"]


def uvicorn(ws: str) -> Callable[[str], Callable[[int], list[str]]]:
    def serving(target: str) -> Callable[[int], list[str]]:
        factory = ["--factory"] if target.endswith("create_app") else []
        return lambda port: [
            PYTHON,
            "-m",
            "uvicorn",
            *factory,
            target,
            "--host",
            HOST,
            "--port",
            str(port),
            "--ws",
            ws,
            *UVICORN_OPTIONS,
        ]

    return serving


def hypercorn(target: str) -> Callable[[int], list[str]]:
    # hypercorn calls a factory written as a call; its uvloop worker, as the others run on uvloop.
    app = f"{target}()" if target.endswith("create_app") else target
    return lambda port: [
        PYTHON,
        "-m",
        "hypercorn",
        "--bind",
        f"{HOST}:{port}",
        "--worker-class",
        "uvloop",
        "--backlog",
        "4096",
        "--log-level",
        "warning",
        app,
    ]


def granian(target: str) -> Callable[[int], list[str]]:
    factory = ["--factory"] if target.endswith("create_app") else []
    return lambda port: [
        PYTHON,
        "-m",
        "granian",
        "--interface",
        "asgi",
        *factory,
        "--loop",
        "uvloop",
        "--host",
        HOST,
        "--port",
        str(port),
        "--backlog",
        "4096",
        "--log-level",
        "warning",
        target,
    ]


SERVERS: dict[str, Callable[[str], Callable[[int], list[str]]]] = {
    "uvicorn (wsproto, frame writer)": uvicorn(WEBSOCKET_IMPLEMENTATION),  # `toolbox serve`'s
    "uvicorn (wsproto)": uvicorn("wsproto"),
    "uvicorn (websockets-sansio)": uvicorn("websockets-sansio"),
    "uvicorn (websockets)": uvicorn("websockets"),  # uvicorn's default
    "hypercorn": hypercorn,
    "granian": granian,
}
APP = "toolbox.app:create_app"
FLOOR = "bench.fanout:floor_app"


def page_rps(base: str, seconds: float) -> float:
    result = run_wrk(base, [f"/b/{fanout.SLUG}"], seconds=seconds, connections=64)
    if not result.only(200):
        raise RuntimeError(f"the board page answered {result.statuses}, errors {result.errors}")
    return result.rps


def one_server(
    name: str,
    serve: Callable[[str], Callable[[int], list[str]]],
    database: str,
    children: fanout.Children,
    args: argparse.Namespace,
) -> dict[str, Any]:
    env = {**os.environ, "TOOLBOX_DATABASE_URL": database, "TOOLBOX_SECRET_KEY": "bench"}
    args.token = fanout.setup_database(env)
    server, base = fanout.start_app(children, env, name=name, command=serve(APP))
    rps = page_rps(base, args.seconds)
    app = fanout.fan_out_through([(server, base)], args, name=name)
    children.stop(server)
    floor = fanout.bench_baseline(children, args, f"{name} floor", command=serve(FLOOR))
    print(
        f"{name}: {rps:.0f} page req/s; idle {app.kb_per_idle_client:.1f} KB/client "
        f"(floor {floor.kb_per_idle_client:.1f}); {app.cpu_us_per_message:.1f} µs/message; "
        f"p99 {app.p99_ms:.1f} ms; {app.missing} missing",
        flush=True,
    )
    return {"name": name, "page_rps": rps, "app": asdict(app), "floor": asdict(floor)}


def report(rows: list[dict[str, Any]], bare: fanout.Result, args: argparse.Namespace) -> None:
    print(f"\nservers: {args.clients} clients × {args.moves} moves, page {args.seconds:.0f} s")
    print(
        f"{'server':<33}{'page req/s':>11}{'KB/idle':>9}{'floor KB':>9}{'µs/msg':>8}"
        f"{'/bare':>7}{'p99 ms':>8}{'missing':>8}"
    )
    for row in rows:
        app, floor = row["app"], row["floor"]
        ratio = app["cpu_us_per_message"] / max(bare.cpu_us_per_message, 1e-9)
        print(
            f"{row['name']:<33}{row['page_rps']:>11.0f}{app['kb_per_idle_client']:>9.1f}"
            f"{floor['kb_per_idle_client']:>9.1f}{app['cpu_us_per_message']:>8.1f}{ratio:>7.2f}"
            f"{app['p99_ms']:>8.1f}{app['missing']:>8}"
        )
    print(
        f"{'bare websockets':<33}{'':>11}{bare.kb_per_idle_client:>9.1f}{'':>9}"
        f"{bare.cpu_us_per_message:>8.1f}{1:>7.2f}{bare.p99_ms:>8.1f}{bare.missing:>8}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, help="K websocket clients (1000; quick: 100)")
    parser.add_argument("--moves", type=int, help="M changes (30; quick: 5)")
    parser.add_argument("--seconds", type=float, help="wrk's duration (5; quick: 1)")
    parser.add_argument("--quick", action="store_true", help="a smoke run")
    fanout.add_client_option(parser)
    parser.add_argument("--only", action="append", help="a server's name, as in the table")
    args = parser.parse_args()
    args.clients = args.clients or (100 if args.quick else 1000)
    args.moves = args.moves or (5 if args.quick else 30)
    args.seconds = args.seconds or (1.0 if args.quick else 5.0)
    servers = {name: serve for name, serve in SERVERS.items() if not args.only or name in args.only}
    pin_load_generator()
    fanout.raise_open_files_limit()
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="toolbox-servers-") as tmp:
        children = fanout.Children(Path(tmp))
        try:
            for name, serve in servers.items():
                with contextlib.ExitStack() as stack:
                    directory = Path(tmp) / f"db-{len(rows)}"
                    directory.mkdir()
                    database = stack.enter_context(prepared_database("sqlite", str(directory)))
                    rows.append(one_server(name, serve, database, children, args))
            bare = fanout.bench_baseline(children, args, "bare")
        except (RuntimeError, OSError) as error:
            for log in sorted(Path(tmp).glob("*.log")):
                print(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}", file=sys.stderr)
            sys.exit(f"servers: {error}")
        finally:
            children.close()
    report(rows, bare, args)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    path = results / f"servers-{time.strftime('%Y%m%d-%H%M%S')}.json"
    summary = {"clients": args.clients, "moves": args.moves, "rows": rows, "bare": asdict(bare)}
    path.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    print(f"results: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
