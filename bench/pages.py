"""Read-path benchmark (DESIGN.md §7): a 600-card board served to a whole room at once.

In one run, on one machine, against a baseline measured in the same run:

- **bare**: Starlette answering a fixed small page (bench/bare_http.py) under the same uvicorn
  with the same options as the app (`uvicorn_command`); the yardstick for req/s, measured
  first, and again at the end to show how far the machine drifted;
- with `wrk` (64 connections, `--seconds` each, one thread on the load core, the servers on the
  other core): the 600-card public board page as a visitor, the same URL again and again (a
  cache hit, if the app caches); a `304` revalidation (`If-None-Match` set to the page's ETag);
  the card page (ten cards in turn); the brigade page; the slot list and board APIs and the
  search API (French queries in turn) as the participant with an API token; a static file
  (the htmx script the page links);
- **search over 10,000 cards**: different queries, one at a time on one kept-alive connection
  (a fixed number, not wrk's fixed time: one may take seconds; none asked twice, so that no
  kept result answers it); its p50 is the figure. The 600-card search, with wrk, takes twelve
  queries in turn, as a room asks the same ones: a kept result may answer those;
- **just after a change**: rounds of {edit a card through the API, one GET of the board page}
  on a kept-alive connection: what the first visitor after each change waits;
- **render cost**: the app in this process (`create_app`, httpx's ASGI transport), the board
  page rendered after a card edit each time (so that nothing from the previous render can be
  reused), CPU time (`time.process_time`) of the GET alone, divided by 600 cards;
- **room**: 200 people open the board page at the same moment, each on a connection of their
  own, then its scripts and style sheet on it; p99 of the time each has everything, and whether
  all of them did (every answer a 200 or a 304).

    .venv/bin/python bench/pages.py [--seconds 10] [--quick] [--database sqlite|ADMIN_URL]

`--database` takes a PostgreSQL admin URL: a throwaway database is made in it and dropped after
(bench/harness.py's `prepared_database`). wrk comes from the Debian package, installed with
apt-get if it is missing. Results go to bench/results/pages-*.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import (  # noqa: E402
    CLK_TCK,
    AppServer,
    percentile,
    pin_load_generator,
    prepared_database,
    tree_cpu_seconds,
)
from bench.pages_changed import after_change, bearer, render_cost  # noqa: E402
from bench.pages_data import (  # noqa: E402
    CARDS,
    MAX_QUERIES,
    QUERIES,
    Population,
    first_queries,
    populate,
)
from bench.pages_report import Figure, report  # noqa: E402
from bench.room import one_by_one, page_assets, request_bytes, room  # noqa: E402
from bench.wrk import WrkResult, ensure_wrk, run_wrk  # noqa: E402

CARD_PAGES = 10  # card pages taken in turn
STATIC_FALLBACK = "/static/vendor/htmx.min.js"
#: The order of the printed table: the baseline, the board page three ways, then the rest.
ORDER = (
    "bare",
    "board_hit",
    "board_304",
    "board_after_change",
    "render",
    "room",
    "card_page",
    "brigade_page",
    "slots_api",
    "board_api",
    "search_600",
    "search_10000",
    "static",
    "bare_again",
)
SETTLE_TIMEOUT = 300.0  # seconds for the server to finish what a previous figure left queued
PACKAGES = (
    "starlette",
    "uvicorn",
    "uvloop",
    "httptools",
    "sqlalchemy",
    "aiosqlite",
    "asyncpg",
    "jinja2",
    "markdown-it-py",
)


# --- figures measured with wrk ------------------------------------------------------------


def settle(server: AppServer) -> None:
    """Until the server is quiet (at most a tick of CPU in half a second).

    When wrk stops, the requests it had in flight are still queued in the server, which answers
    them to closed sockets: seconds of work, for slow pages, that would count against the next
    figure."""
    assert server.process is not None
    deadline = time.monotonic() + SETTLE_TIMEOUT
    while time.monotonic() < deadline:
        before = tree_cpu_seconds(server.process.pid)
        time.sleep(0.5)
        if tree_cpu_seconds(server.process.pid) - before <= 1 / CLK_TCK:
            return
    raise RuntimeError(f"the server was still busy {SETTLE_TIMEOUT:.0f} s after a figure")


def wrk_figure(
    name: str,
    server: AppServer,
    paths: list[str],
    args: argparse.Namespace,
    *,
    headers: dict[str, str] | None = None,
    connections: int | None = None,
    expect: tuple[int, ...] = (200,),
) -> tuple[Figure, WrkResult]:
    settle(server)
    result = run_wrk(
        server.url,
        paths,
        seconds=args.seconds,
        connections=connections or args.connections,
        headers=headers,
    )
    if not result.requests:
        wrong = f"no answer within the {args.seconds:g} s of the run"
    elif not result.only(*expect):
        wrong = f"unexpected answers: {result.statuses}, errors {result.errors}"
    else:
        wrong = ""
    figure = Figure(
        name=name,
        rps=result.rps,
        p50_ms=result.p50_ms,
        p99_ms=result.p99_ms,
        requests=result.requests,
        bytes_per_answer=result.bytes / result.requests if result.requests else None,
        statuses=result.statuses,
        wrong=wrong,
    )
    return figure, result


def search_paths(slug: str, queries: list[str] | tuple[str, ...] = QUERIES) -> list[str]:
    return [f"/api/v1/boards/{slug}/search?q={quote(query)}" for query in queries]


def wrk_figures(
    server: AppServer, population: Population, bare_rps: float, args: argparse.Namespace
) -> dict[str, Figure]:
    """Every wrk figure of the app, with its target where the issue sets one."""
    slug = population.slug
    board, participant = f"/b/{slug}", bearer(population.participant_token)
    figures: dict[str, Figure] = {}

    hit, run = wrk_figure("board page, cache hit", server, [board], args)
    hit.check(f"≥ 1/3 bare ({bare_rps / 3:,.0f} req/s)", run.rps >= bare_rps / 3)
    hit.check("p99 ≤ 50 ms", run.p99_ms <= 50)
    figures["board_hit"] = hit

    figures["board_304"] = revalidation(server, board, bare_rps, args)

    cards = [f"/b/{slug}/cards/{card_id}" for card_id in population.card_ids[:CARD_PAGES]]
    figures["card_page"], _ = wrk_figure("card page", server, cards, args)
    figures["brigade_page"], _ = wrk_figure("brigade page", server, [f"{board}/brigade"], args)
    api = f"/api/v1/boards/{slug}"
    figures["slots_api"], _ = wrk_figure(
        "slot list API", server, [f"{api}/slots"], args, headers=participant
    )
    figures["board_api"], _ = wrk_figure("board API", server, [api], args, headers=participant)

    figures.update(search_figures(server, population, args))

    static = static_path(server, board)
    figures["static"], _ = wrk_figure(f"static file {static}", server, [static], args)
    return figures


def search_figures(
    server: AppServer, population: Population, args: argparse.Namespace
) -> dict[str, Figure]:
    """The search API on the 600-card board (wrk, twelve queries in turn), then on the big one."""
    participant = bearer(population.participant_token)
    paths = search_paths(population.slug)
    search, run = wrk_figure(f"search API, {CARDS} cards", server, paths, args, headers=participant)
    search.check("≥ 1,000 req/s", run.rps >= 1000)
    big = big_search(server, population, args.search_queries)
    return {"search_600": search, "search_10000": big}


def big_search(server: AppServer, population: Population, queries: int) -> Figure:
    """Search over the big board, one query at a time on one connection: the time of a query,
    not of a queue. A fixed number of queries rather than wrk's fixed time, as one may take
    seconds; all different, as the target is about searching, not about a kept result."""
    settle(server)
    headers = bearer(population.participant_token)
    paths = search_paths(population.big_slug, first_queries(queries))
    requests = [request_bytes(server.port, path, headers) for path in paths]
    assert server.process is not None
    cpu = tree_cpu_seconds(server.process.pid)
    timings = asyncio.run(one_by_one(server.port, requests))
    # The server's own CPU per query: what the machine's other work does not lengthen.
    cpu_ms = (tree_cpu_seconds(server.process.pid) - cpu) * 1000 / len(requests)
    times = [ms for _status, ms in timings]
    statuses = dict(Counter(str(status) for status, _ms in timings))
    figure = Figure(
        name=f"search API, {population.big_cards:,} cards, {queries} queries one by one",
        p50_ms=percentile(times, 50),
        p99_ms=percentile(times, 99),
        requests=len(timings),
        statuses=statuses,
        wrong="" if set(statuses) == {"200"} else f"unexpected answers: {statuses}",
        note=f"the server's CPU: {cpu_ms:.2f} ms per query (/proc, {1000 / CLK_TCK:.0f} ms ticks)",
    )
    figure.check("p50 ≤ 5 ms per query", percentile(times, 50) <= 5)
    return figure


def revalidation(
    server: AppServer, board: str, bare_rps: float, args: argparse.Namespace
) -> Figure:
    """The board page asked again with the ETag of a first answer: a 304, if the app says so."""
    settle(server)
    etag = httpx.get(server.url + board, timeout=60).raise_for_status().headers.get("etag")
    target = f"≥ 1/2 bare ({bare_rps / 2:,.0f} req/s)"
    if not etag:
        figure = Figure(name="board page, 304 revalidation", wrong="no ETag")
        figure.check(target, False)
        return figure
    figure, run = wrk_figure(
        "board page, 304 revalidation",
        server,
        [board],
        args,
        headers={"If-None-Match": etag},
        expect=(304,),
    )
    figure.check(target, run.rps >= bare_rps / 2)
    return figure


def static_path(server: AppServer, board: str) -> str:
    """The htmx script the board page links (its name may be hashed one day)."""
    settle(server)
    html = httpx.get(server.url + board, timeout=60).raise_for_status().text
    return next((path for path in page_assets(html) if "htmx" in path), STATIC_FALLBACK)


# --- the room ---------------------------------------------------------------------------------


def room_figure(server: AppServer, slug: str, clients: int) -> Figure:
    board = f"/b/{slug}"
    assets = page_assets(httpx.get(server.url + board, timeout=30).raise_for_status().text)
    result = asyncio.run(room(server.port, board, assets, clients))
    figure = Figure(
        name=f"room: {clients} clients, page + {len(assets)} assets each",
        p50_ms=result.p50_ms,
        p99_ms=result.p99_ms,
        value=result.last_ms,
        unit="ms (last client)",
        requests=clients * (1 + len(assets)),
        statuses=result.statuses,
        note=(
            f"{result.served}/{clients} got everything; assets: {', '.join(assets)}; "
            f"the clients' own CPU: {result.client_cpu_ms:,.0f} ms"
        ),
    )
    figure.check(f"all {clients} get everything", result.served == clients)
    figure.check("p99 ≤ 1 s", result.p99_ms <= 1000)
    return figure


# --- the run ----------------------------------------------------------------------------------


def wrk_version() -> str:
    done = subprocess.run([ensure_wrk(), "-v"], capture_output=True, text=True)  # noqa: S603
    return (done.stdout + done.stderr).split(" Copyright")[0].strip()


def machine() -> dict[str, Any]:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
    versions: dict[str, str | None] = {}
    for package in PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "nproc": os.cpu_count(),
        "cpu": model[1].strip() if model else platform.processor(),
        "python": platform.python_version(),
        "packages": versions,
        "wrk": wrk_version(),
        "load_average_1_5_15_min": os.getloadavg(),
    }


def measure(url: str, population: Population, args: argparse.Namespace) -> dict[str, Figure]:
    figures: dict[str, Figure] = {}
    if args.only == "search":
        with AppServer(url) as server:
            return search_figures(server, population, args)
    if args.only == "render":
        return {"render": asyncio.run(render_cost(url, population, args.renders))}
    with AppServer(url, target="bench.bare_http:app") as bare_server:
        figures["bare"], bare = wrk_figure(
            "bare Starlette handler (baseline)", bare_server, ["/"], args
        )
    with AppServer(url) as server:
        for path in (f"/b/{population.slug}", f"/b/{population.slug}/brigade"):
            httpx.get(server.url + path, timeout=30).raise_for_status()  # templates compiled
        figures.update(wrk_figures(server, population, bare.rps, args))
        settle(server)
        figures["board_after_change"] = asyncio.run(after_change(server, population, args.rounds))
        settle(server)
        figures["room"] = room_figure(server, population.slug, args.clients)
    figures["render"] = asyncio.run(render_cost(url, population, args.renders))
    # The yardstick again: how far the machine drifted while the app was measured.
    with AppServer(url, target="bench.bare_http:app") as bare_server:
        figures["bare_again"], _ = wrk_figure(
            "bare Starlette handler, again at the end (drift)", bare_server, ["/"], args
        )
    return {key: figures[key] for key in ORDER}


def run(args: argparse.Namespace) -> tuple[Population, dict[str, Figure]]:
    """A throwaway database, populated, then every figure."""
    with (
        tempfile.TemporaryDirectory(prefix="toolbox-pages-") as directory,
        prepared_database(args.database, directory) as url,
    ):
        started = time.perf_counter()
        population = asyncio.run(populate(url, args.search_cards))
        print(
            f"populated in {time.perf_counter() - started:.1f} s: "
            + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in population.seconds.items())
        )
        return population, measure(url, population, args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, help="wrk's duration per figure (10; quick: 2)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: fewer, shorter runs")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--rounds", type=int, help="edits for 'after a change' (30; quick: 10)")
    parser.add_argument("--renders", type=int, help="in-process uncached renders (20; quick: 5)")
    parser.add_argument("--clients", type=int, default=200, help="people in the room")
    parser.add_argument("--search-cards", type=int, default=10_000, help="the big board's")
    parser.add_argument(
        "--search-queries", type=int, help="different queries on the big board (36; quick: 12)"
    )
    parser.add_argument(
        "--database", default="sqlite", help="sqlite, or a PostgreSQL admin URL (throwaway db)"
    )
    parser.add_argument(
        "--only",
        choices=["search", "render"],
        help="only these figures (search: the two search figures; render: the uncached render)",
    )
    args = parser.parse_args()
    # A figure asked for on the command line wins over --quick's shorter one.
    for name, full, quick in (
        ("seconds", 10.0, 2.0),
        ("rounds", 30, 10),
        ("renders", 20, 5),
        ("search_queries", 36, 12),
    ):
        if getattr(args, name) is None:
            setattr(args, name, quick if args.quick else full)
    counts = ("seconds", "connections", "rounds", "renders", "clients", "search_queries")
    if any(getattr(args, name) < 1 for name in counts) or args.search_cards < 1:
        parser.error("every count and duration must be at least 1")
    if args.search_queries > MAX_QUERIES:
        parser.error(f"--search-queries: at most {MAX_QUERIES} different queries")
    os.chdir(ROOT)  # the in-process app finds its templates and static files from here
    pin_load_generator()
    ensure_wrk()
    began = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    database = re.sub(r"//[^/@]*@", "//…@", args.database)  # no password printed or written
    try:
        population, figures = run(args)
    except (RuntimeError, OSError, httpx.HTTPError) as error:
        sys.exit(f"pages: {error}")
    summary: dict[str, Any] = {
        "date": began,
        "command": " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]),
        "database": database,
        "machine": machine(),
        "settings": {k: v for k, v in vars(args).items() if k != "database"},
        "populate_seconds": population.seconds,
        "figures": {key: asdict(figure) for key, figure in figures.items()},
    }
    summary["all_met"] = report(figures, args, database)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    path = results / f"pages-{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}.json"
    path.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    print(f"results: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    os.environ.setdefault("TOOLBOX_SECRET_KEY", "bench")
    main()
