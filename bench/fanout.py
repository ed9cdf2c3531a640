"""Fan-out benchmark (DESIGN.md §7): K websocket clients on one board, a facilitator makes M moves.

What is measured, for the app and for a baseline, in the same run on the same machine:

- delivery latency, p50 and p99 over every (client, change): the moment a client reads the
  event (`--client picows`, the default: as its frame is read from the socket; `--client
  websockets`: once the client's task has it from `recv()`) minus the moment the change's
  trigger returned (for the app, the HTTP
  response of `POST /api/v1/cards/{id}/move` arriving; for the baseline, the control
  connection's `send()` returning). An event may beat the HTTP response by a hair: such
  deliveries are clamped at 0 and counted;
- server CPU (utime + stime from /proc) spent during the M changes, divided by K x M, i.e. the
  cost of one delivered message (for the app, including the M API requests themselves);
- server CPU per added client: the M changes are made a second time after half the clients have
  left; the difference, divided by M x K/2, is what one more client costs per change, without
  what a change costs once whatever the number of clients (the app's API request and database
  work, one rendering per audience; the baseline's control message). This is the "cost per
  client" the targets compare;
- memory per idle connected client: the server's VmRSS growth from 0 to K idle clients, / K,
  read once the server has gone quiet (every client handled, not only connected) plus 2 s.

The clients live in this process; their own CPU per message is reported too, as it bounds the
latencies (one process reads all K copies of an event, one after the other). That is why the
default client is picows, whose frames are parsed in C: at 5,000 clients the `websockets`
client's own 30-odd µs a message made the p99 the time this process took to read 5,000 copies,
whatever the server.

The baseline is a bare `websockets` server (this file with `--bare-server PORT`) that broadcasts
the exact bytes of an event the app sent, a new `seq` each time, to the same K clients. Absolute
times on a shared machine drift; the ratio app/bare is what the targets are about. A second
baseline, "uvicorn", is the server the app runs on, with the app's options, serving a do-nothing
ASGI app (`floor_app`): the floor under any ASGI app's memory per connection.

    .venv/bin/python bench/fanout.py [--clients K] [--moves M] [--database sqlite|URL]
                                     [--client picows|websockets]

`--database` takes a PostgreSQL admin URL: a throwaway database is made in it and dropped after.
`--processes 2` adds the clients split over two app processes sharing that database and Redis.
Results go to bench/results/fanout-*.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import math
import os
import platform
import re
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

import httpx
import uvloop  # uvicorn[standard] brings it and the app runs on it: so does all here
from picows import (
    WSCloseCode,
    WSFrame,
    WSListener,
    WSMsgType,
    WSProtocolError,
    WSTransport,
    ws_connect,
)
from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import ServerConnection, broadcast, serve
from websockets.exceptions import ConnectionClosed, WebSocketException
from websockets.sync.client import connect as sync_connect

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import (  # noqa: E402
    pin_load_generator,
    pin_to_server_core,
    prepared_database,
)
from toolbox.cli import WEBSOCKET_IMPLEMENTATION, stop_server  # noqa: E402

PYTHON = str(ROOT / ".venv/bin/python") if (ROOT / ".venv/bin/python").exists() else sys.executable
HOST = "127.0.0.1"
SLUG = "bench"
FAC = "fac@example.org"
CARDS_PER_COLUMN = 10
BATCH = 100  # clients connecting at once
GAP = 0.1  # seconds between changes: each one is a separate fan-out, as in a room
IDLE = 2.0  # seconds the connected clients sit idle before the memory is read
DELIVERY_TIMEOUT = 15.0  # seconds for one change to reach every client
START_TIMEOUT = 30.0
CLOSE_TIMEOUT = 5.0  # seconds for a server to answer a client's CLOSE
SETTLE_TIMEOUT = 120.0
SKIPPED_TYPES = frozenset({"presence", "reset"})
TARGETS = {
    "cost_ratio": 1.3,
    "p99_ms": 75.0,  # at 1,000 clients; 150 at 5,000 (P99_TARGET_MS)
    "kb_per_idle_client": 20.0,
    "cross_process_p99_ratio": 1.5,
}
#: Issue 16: p99 within 75 ms for 1,000 clients, 150 ms for 5,000.
P99_TARGET_MS = {1000: 75.0, 5000: 150.0}
CLK_TCK = os.sysconf("SC_CLK_TCK")
T = TypeVar("T")
INTERRUPTS = (signal.SIGINT, signal.SIGTERM)


@dataclass
class Result:
    name: str
    p50_ms: float
    p99_ms: float
    max_ms: float
    cpu_us_per_message: float
    cpu_us_per_added_client: float  # marginal: what one more client costs, per change
    harness_cpu_us_per_message: float  # the clients' own cost, in this process
    kb_per_idle_client: float
    deliveries: int
    missing: int
    clamped_to_zero: int
    ready_seconds: float  # from the first connection to a quiet server


# --- processes --------------------------------------------------------------------------------


class Children:
    """Every subprocess we start, terminated on the way out whatever happens."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        # Ctrl-C between the fork and the record would leak the child: signals wait until after.
        held: list[int] = []
        previous = {n: signal.signal(n, lambda n, _: held.append(n)) for n in INTERRUPTS}
        try:
            with (self.logs / f"{name}.log").open("wb") as log:  # the child keeps its own copy
                proc = subprocess.Popen(  # noqa: S603 -- our own interpreter, fixed arguments
                    args,
                    env=env,
                    cwd=ROOT,
                    stdout=log,
                    stderr=log,
                    start_new_session=True,
                    preexec_fn=pin_to_server_core,
                )
            self.procs.append(proc)
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)
        if held:
            raise KeyboardInterrupt
        return proc

    def stop(self, proc: subprocess.Popen[bytes]) -> None:
        stop_server(proc)

    def close(self) -> None:
        for proc in self.procs:
            self.stop(proc)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def tree(pid: int) -> list[int]:
    """`pid` and its descendants: servers such as granian answer from a worker process."""
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            pids.extend(tree(int(child)))
    return pids


def rss_kb(*pids: int) -> int:
    """Resident memory of these servers and of their workers."""
    total = 0
    for pid in (p for server in pids for p in tree(server)):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


def cpu_seconds(*pids: int) -> float:
    """User + system CPU of these servers and of their workers, from /proc."""
    total = 0.0
    for pid in (p for server in pids for p in tree(server)):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / CLK_TCK  # fields 14 and 15: utime, stime
    return total


def tcp_open(port: int) -> bool:
    with socket.create_connection((HOST, port), timeout=1):
        return True


def wait_until(ready: Callable[[], bool], proc: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}: see its log")
        with contextlib.suppress(OSError, httpx.HTTPError):
            if ready():
                return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not start within {START_TIMEOUT} s")


def toolbox(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603
        [PYTHON, "-m", "toolbox.cli", *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"toolbox {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout.strip()


def setup_database(env: dict[str, str]) -> str:
    """Schema, a facilitator, a public board; returns the facilitator's API token."""
    toolbox(env, "db", "upgrade")
    toolbox(env, "user", "add", FAC, "--name", "Fac", "--password", "benchpass1", "--admin")
    toolbox(env, "board", "add", SLUG, "Bench", "--facilitator", FAC, "--public")
    return toolbox(env, "user", "token", FAC).splitlines()[-1].strip()


def plan_moves(http: httpx.Client, moves: int) -> list[tuple[int, int]]:
    """Two columns of cards; move i takes a card from one column to the top of the other."""
    columns: list[int] = []
    cards: dict[int, list[int]] = {}
    for title in ("À explorer", "Retenues"):
        column = http.post(f"/api/v1/boards/{SLUG}/columns", json={"title": title})
        columns.append(column.raise_for_status().json()["id"])
        cards[columns[-1]] = []
        for n in range(CARDS_PER_COLUMN):
            body = {"column_id": columns[-1], "title": f"Ressource {n} — inventaire numérique"}
            card = http.post(f"/api/v1/boards/{SLUG}/cards", json=body).raise_for_status()
            cards[columns[-1]].append(card.json()["id"])
    plan = []
    for i in range(moves):
        target, source = columns[i % 2], columns[(i + 1) % 2]
        card_id = cards[source].pop()
        cards[target].insert(0, card_id)
        plan.append((card_id, target))
    return plan


# --- clients ----------------------------------------------------------------------------------


class Receipts:
    """When each client received each event (by seq), and when every client has one."""

    def __init__(self, clients: int) -> None:
        self.clients = clients
        self.times: list[dict[int, float]] = [{} for _ in range(clients)]
        self.counts: dict[int, int] = {}
        self.complete: dict[int, asyncio.Event] = {}
        self.sample: str | None = None  # the first event received, bytes reused by the baseline

    def add(self, client: int, at: float, message: str | bytes) -> None:
        event = json.loads(message)
        if event.get("type") in SKIPPED_TYPES:
            return
        seq = int(event["seq"])
        self.times[client][seq] = at
        self.counts[seq] = self.counts.get(seq, 0) + 1
        if self.sample is None and isinstance(message, str):
            self.sample = message
        if self.counts[seq] == self.clients:
            self.complete.setdefault(seq, asyncio.Event()).set()

    async def wait(self, seq: int) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(DELIVERY_TIMEOUT):
                await self.complete.setdefault(seq, asyncio.Event()).wait()


class Client(Protocol):
    """One connected client of the instrument, whichever library reads for it."""

    async def close(self) -> None: ...


@dataclass
class WebsocketsClient:
    """The `websockets` library's client: a task per connection awaits each message, parsed
    and assembled in Python, so that a message is noted once that task has run."""

    conn: ClientConnection
    task: asyncio.Task[None]

    @classmethod
    async def open(cls, url: str, index: int, resume: int, receipts: Receipts) -> WebsocketsClient:
        conn = await connect(url, compression=None, ping_interval=None)
        await conn.send(json.dumps({"resume": resume}))
        return cls(conn, asyncio.create_task(cls.listen(conn, index, receipts)))

    @staticmethod
    async def listen(conn: ClientConnection, index: int, receipts: Receipts) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for message in conn:
                receipts.add(index, time.perf_counter(), message)

    async def close(self) -> None:
        try:
            await self.conn.close()
        finally:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)


class PicowsListener(WSListener):
    """Notes each message as the loop reads its frame (picows parses frames in C and calls
    back from the socket's read), so that with thousands of clients in this one process a
    message's time is its arrival, not its turn among the copies to parse: the latency is
    the server's, less the instrument's own queue. The servers send each message as one frame."""

    def __init__(self, index: int, receipts: Receipts) -> None:
        super().__init__()
        self.index = index
        self.receipts = receipts

    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        if frame.msg_type == WSMsgType.TEXT:
            if not frame.fin:
                raise WSProtocolError(WSCloseCode.UNSUPPORTED_DATA, "a fragmented message")
            self.receipts.add(self.index, time.perf_counter(), frame.get_payload_as_utf8_text())
        elif frame.msg_type == WSMsgType.CLOSE:
            transport.send_close(frame.get_close_code())
            transport.disconnect()


@dataclass
class PicowsClient:
    transport: WSTransport

    @classmethod
    async def open(cls, url: str, index: int, resume: int, receipts: Receipts) -> PicowsClient:
        transport, _ = await ws_connect(lambda: PicowsListener(index, receipts), url)
        transport.send(WSMsgType.TEXT, json.dumps({"resume": resume}).encode())
        return cls(transport)

    async def close(self) -> None:
        """The closing handshake: the server's CLOSE answers ours (`on_ws_frame`)."""
        try:
            self.transport.send_close(WSCloseCode.OK)
            async with asyncio.timeout(CLOSE_TIMEOUT):
                await self.transport.wait_disconnected()
        finally:
            self.transport.disconnect()


CLIENTS: dict[str, Callable[[str, int, int, Receipts], Awaitable[Client]]] = {
    "picows": PicowsClient.open,
    "websockets": WebsocketsClient.open,
}


async def connect_all(
    urls: list[str], count: int, resume: int, receipts: Receipts, library: str
) -> list[Client]:
    """In batches, from an empty room (as after a restart); each client says where it is.
    Several servers (processes behind one address) take the clients in turn."""
    clients: list[Client] = []
    while len(clients) < count:
        size = min(BATCH, count - len(clients))
        clients.extend(
            await asyncio.gather(
                *(
                    CLIENTS[library](
                        urls[(len(clients) + n) % len(urls)], len(clients) + n, resume, receipts
                    )
                    for n in range(size)
                )
            )
        )
    return clients


async def close_all(clients: list[Client]) -> None:
    for start in range(0, len(clients), BATCH):
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(10):
                await asyncio.gather(
                    *(c.close() for c in clients[start : start + BATCH]), return_exceptions=True
                )


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """On uvloop, as the app; SIGTERM cancels the coroutine (its cleanup runs) as Ctrl-C does."""

    async def guarded() -> T:
        loop, task = asyncio.get_running_loop(), asyncio.current_task()
        assert task is not None
        loop.add_signal_handler(signal.SIGTERM, task.cancel)
        try:
            return await coroutine
        finally:
            loop.remove_signal_handler(signal.SIGTERM)
            signal.signal(signal.SIGTERM, signal.default_int_handler)

    return uvloop.run(guarded())


async def settle(*pids: int) -> None:
    """Until the servers are quiet (at most 1 tick of CPU each in half a second), within
    SETTLE_TIMEOUT."""
    deadline = time.monotonic() + SETTLE_TIMEOUT
    while time.monotonic() < deadline:
        before = cpu_seconds(*pids)
        await asyncio.sleep(0.5)
        if cpu_seconds(*pids) - before <= len(pids) / CLK_TCK:
            return
    raise RuntimeError(f"the server was still busy {SETTLE_TIMEOUT} s after the clients connected")


def percentile(values: list[float], p: float) -> float:
    """Nearest rank, on sorted values."""
    return values[max(0, min(len(values) - 1, math.ceil(p / 100 * len(values)) - 1))]


async def measure(
    name: str,
    pids: list[int],
    urls: list[str],
    args: argparse.Namespace,
    trigger: Callable[[int], float],
) -> tuple[Result, str | None]:
    """Connect, read memory, make the changes (trigger(i) returns when change i was made).
    Memory and CPU are those of every server process in `pids` together."""
    resume: int = args.first_seq
    receipts = Receipts(args.clients)
    rss_before = rss_kb(*pids)
    started = time.perf_counter()
    clients = await connect_all(urls, args.clients, resume, receipts, args.client)
    try:
        await settle(*pids)  # every client handled (resumed), not only connected
        ready_seconds = time.perf_counter() - started
        await asyncio.sleep(IDLE)
        rss_after = rss_kb(*pids)
        made: dict[int, float] = {}
        # This process is the measuring instrument: no pause of its own collector in the timings.
        gc.collect()
        gc.disable()
        cpu_before, own_before = cpu_seconds(*pids), time.process_time()
        for i in range(args.moves):
            made[resume + i + 1] = await asyncio.to_thread(trigger, i)
            await receipts.wait(resume + i + 1)
            await asyncio.sleep(GAP)
        cpu, own = cpu_seconds(*pids) - cpu_before, time.process_time() - own_before
        # The same changes again with half the clients gone: the difference is what the other
        # half cost, free of what each change costs once whatever the number of clients (the
        # app's API request, rendering once per audience; the baseline's control message).
        gc.enable()
        half = args.clients // 2
        await close_all(clients[:half])
        clients = clients[half:]
        await settle(*pids)
        receipts.clients = args.clients - half
        gc.collect()
        gc.disable()
        cpu_half_before = cpu_seconds(*pids)
        for i in range(args.moves, 2 * args.moves):
            await asyncio.to_thread(trigger, i)
            await receipts.wait(resume + i + 1)
            await asyncio.sleep(GAP)
        cpu_half = cpu_seconds(*pids) - cpu_half_before
    finally:
        gc.enable()
        await close_all(clients)
    latencies: list[float] = []
    for times in receipts.times:  # the first phase, every client connected
        latencies.extend(times[seq] - at for seq, at in made.items() if seq in times)
    clamped = sum(1 for lag in latencies if lag < 0)
    latencies = sorted(max(0.0, lag) for lag in latencies)
    expected = args.clients * args.moves
    if not latencies:
        raise RuntimeError(f"{name}: no event reached any client")
    result = Result(
        name=name,
        p50_ms=percentile(latencies, 50) * 1000,
        p99_ms=percentile(latencies, 99) * 1000,
        max_ms=latencies[-1] * 1000,
        cpu_us_per_message=cpu / expected * 1e6,
        cpu_us_per_added_client=(cpu - cpu_half) / (args.moves * half) * 1e6,
        harness_cpu_us_per_message=own / expected * 1e6,
        kb_per_idle_client=(rss_after - rss_before) / args.clients,
        deliveries=len(latencies),
        missing=expected - len(latencies),
        clamped_to_zero=clamped,
        ready_seconds=ready_seconds,
    )
    return result, receipts.sample


# --- the two servers ----------------------------------------------------------------------------

UVICORN_OPTIONS = (
    f"--ws {WEBSOCKET_IMPLEMENTATION} --ws-per-message-deflate false --ws-max-size 65536 "
    "--log-level warning"
)
UVICORN = (
    "-m uvicorn --factory toolbox.app:create_app --host {host} --port {port} " + UVICORN_OPTIONS
)
UVICORN_FLOOR = "-m uvicorn bench.fanout:floor_app --host {host} --port {port} " + UVICORN_OPTIONS


def app_command(port: int) -> list[str]:
    return [PYTHON, *UVICORN.format(host=HOST, port=port).split()]


def start_app(
    children: Children,
    env: dict[str, str],
    name: str = "app",
    command: Callable[[int], list[str]] = app_command,
) -> tuple[subprocess.Popen[bytes], str]:
    """The app in a server process of its own; returns it and its base URL once it answers."""
    port = free_port()
    server = children.start(name, command(port), env)
    base = f"http://{HOST}:{port}"
    with httpx.Client(base_url=base, timeout=10) as anonymous:
        wait_until(lambda: anonymous.get("/api/v1/boards").status_code == 200, server, name)
    return server, base


def fan_out_through(
    servers: list[tuple[subprocess.Popen[bytes], str]], args: argparse.Namespace, name: str = "app"
) -> Result:
    """The app's clients spread over `servers` (one process, or several sharing a database and a
    bus), the moves made through the JSON API of the first one."""
    base = servers[0][1]
    headers = {"Authorization": f"Bearer {args.token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=10) as http:
        plan = plan_moves(http, 2 * args.moves)
        args.first_seq = int(http.get(f"/api/v1/boards/{SLUG}").raise_for_status().json()["seq"])

        def move(i: int) -> float:
            card_id, column_id = plan[i]
            body = {"column_id": column_id, "index": 0}
            response = http.post(f"/api/v1/cards/{card_id}/move", json=body)
            at = time.perf_counter()
            response.raise_for_status()
            return at

        urls = [f"{url.replace('http', 'ws', 1)}/b/{SLUG}/ws?format=json" for _, url in servers]
        pids = [server.pid for server, _ in servers]
        result, sample = run(measure(name, pids, urls, args, move))
        final = int(http.get(f"/api/v1/boards/{SLUG}").raise_for_status().json()["seq"])
    if final != args.first_seq + 2 * args.moves:  # nothing else wrote: move i made seq first+i+1
        raise RuntimeError(
            f"expected seq {args.first_seq + 2 * args.moves} at the end, got {final}"
        )
    if sample is None:
        raise RuntimeError("no event was received from the app")
    args.sample = sample
    return result


def bench_app(children: Children, env: dict[str, str], args: argparse.Namespace) -> Result:
    """The app exactly as in production, its clients, moves through the JSON API."""
    server, base = start_app(children, env)
    result = fan_out_through([(server, base)], args)
    children.stop(server)
    return result


def bench_baseline(
    children: Children,
    args: argparse.Namespace,
    kind: str,
    command: Callable[[int], list[str]] | None = None,
) -> Result:
    """A baseline: the same clients, the app's own bytes, only `seq` changed (same length).

    kind "bare": the `websockets` library's own server; kind "uvicorn": uvicorn, started with the
    app's options, serving a do-nothing ASGI app (`floor_app`): what any ASGI app costs there.
    `command` (port -> argv) serves `floor_app` with another server."""
    port = free_port()
    if command is not None:
        argv = command(port)
    elif kind == "bare":
        argv = [PYTHON, str(Path(__file__).resolve()), "--bare-server", str(port)]
    else:
        argv = [PYTHON, *UVICORN_FLOOR.format(host=HOST, port=port).split()]
    server = children.start(kind, argv, dict(os.environ))
    wait_until(lambda: tcp_open(port), server, f"the {kind} server")
    first: int = args.first_seq
    messages = [
        re.sub(r'"seq":\d+', f'"seq":{first + i + 1}', args.sample, count=1)
        for i in range(2 * args.moves)
    ]
    with sync_connect(f"ws://{HOST}:{port}/control", compression=None) as control:

        def send(i: int) -> float:
            control.send(messages[i])
            return time.perf_counter()

        url = f"ws://{HOST}:{port}/b/{SLUG}/ws?format=json"
        result, _ = run(measure(kind, [server.pid], [url], args, send))
    children.stop(server)
    return result


async def floor_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The least an ASGI app can do here: accept, wait, and send what `/control` sends to every
    other socket, one `await send(...)` after another."""
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    if scope["type"] != "websocket":
        return
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    if scope["path"] == "/control":
        while (message := await receive())["type"] == "websocket.receive":
            frame = {"type": "websocket.send", "text": message["text"]}
            for client_send in list(_FLOOR_CLIENTS):
                await client_send(frame)
        return
    _FLOOR_CLIENTS.add(send)
    try:
        while (await receive())["type"] != "websocket.disconnect":
            pass  # the {"resume": SEQ}: nothing to resume here
    finally:
        _FLOOR_CLIENTS.discard(send)


_FLOOR_CLIENTS: set[Any] = set()


async def bare_server(port: int) -> None:
    """`websockets` alone: what the control connection sends is broadcast to every client."""
    clients: set[ServerConnection] = set()

    async def handler(ws: ServerConnection) -> None:
        if ws.request is not None and ws.request.path == "/control":
            async for message in ws:
                broadcast(clients, message)
            return
        clients.add(ws)
        try:
            async for _ in ws:  # the {"resume": SEQ}: nothing to resume here
                pass
        finally:
            clients.discard(ws)

    async with serve(handler, HOST, port, compression=None, max_size=65536) as server:
        await server.serve_forever()


# --- report -----------------------------------------------------------------------------------


def report(app: Result, floor: Result, bare: Result, args: argparse.Namespace) -> dict[str, Any]:
    def ratio(a: float, b: float) -> float:
        return a / b if b else 0.0

    p99_target = P99_TARGET_MS.get(args.clients, TARGETS["p99_ms"])
    cost = ratio(app.cpu_us_per_message, bare.cpu_us_per_message)
    marginal = ratio(app.cpu_us_per_added_client, bare.cpu_us_per_added_client)
    memory = ratio(app.kb_per_idle_client, bare.kb_per_idle_client)
    checks = {
        f"CPU per added client <= {TARGETS['cost_ratio']}x bare": marginal <= TARGETS["cost_ratio"],
        f"CPU per delivered message <= {TARGETS['cost_ratio']}x bare": cost
        <= TARGETS["cost_ratio"],
        f"p99 <= {p99_target:.0f} ms": app.p99_ms <= p99_target,
        f"memory per idle client <= {TARGETS['kb_per_idle_client']:.0f} KB": (
            app.kb_per_idle_client <= TARGETS["kb_per_idle_client"]
        ),
    }
    rows = [
        ("latency p50 (ms)", "p50_ms"),
        ("latency p99 (ms)", "p99_ms"),
        ("latency max (ms)", "max_ms"),
        ("server CPU per delivered message (µs)", "cpu_us_per_message"),
        ("server CPU per added client, per change (µs)", "cpu_us_per_added_client"),
        ("server memory per idle client (KB)", "kb_per_idle_client"),
        ("clients' own CPU per message (µs)", "harness_cpu_us_per_message"),
    ]
    print(
        f"\nfan-out: {args.clients} clients ({args.client}), {args.moves} changes, "
        f"database {args.database}"
    )
    print(f"{'':46}{'app':>9}{'uvicorn':>9}{'bare':>9}{'app/bare':>9}")
    for label, key in rows:
        a, u, b = getattr(app, key), getattr(floor, key), getattr(bare, key)
        print(f"{label:46}{a:9.2f}{u:9.2f}{b:9.2f}{ratio(a, b):9.2f}")
    for r in (app, floor, bare):
        print(
            f"{r.name}: {r.deliveries} deliveries, {r.missing} missing, {r.clamped_to_zero} "
            f"clamped to 0, clients connected and handled in {r.ready_seconds:.1f} s"
        )
    for label, ok in checks.items():
        print(f"target {label}: {'met' if ok else 'MISSED'}")
    return {
        "clients": args.clients,
        "moves": args.moves,
        "client": args.client,
        "database": re.sub(r"//[^/@]*@", "//…@", args.database),  # no password in the file
        "machine": {
            "nproc": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_1_5_15_min": os.getloadavg(),
        },
        "app": asdict(app),
        "uvicorn_floor": asdict(floor),
        "bare": asdict(bare),
        "ratios": {
            "cpu_per_message": cost,
            "cpu_per_added_client": marginal,
            "memory_per_idle_client": memory,
        },
        "targets": TARGETS,
        "met": checks,
        "sample_event": args.sample,
    }


def cross_process(
    children: Children, env: dict[str, str], args: argparse.Namespace, single: Result
) -> dict[str, Any]:
    """The same clients split over `--processes` app processes on one database and a Redis bus
    (both on the server core), the moves made through the first: what crossing the bus adds."""
    shared = {**env, "TOOLBOX_BROADCAST_URL": args.redis}
    servers = [start_app(children, shared, name=f"app-{n}") for n in range(1, args.processes + 1)]
    spread = fan_out_through(servers, args, name=f"{args.processes} processes")
    for server, _ in servers:
        children.stop(server)
    ratio = spread.p99_ms / single.p99_ms if single.p99_ms else 0.0
    print(
        f"{args.processes} processes (Redis): p50 {spread.p50_ms:.1f} ms, p99 {spread.p99_ms:.1f}"
        f" ms ({ratio:.2f}x one process), {spread.missing} missing, "
        f"CPU per message {spread.cpu_us_per_message:.1f} µs"
    )
    target = TARGETS["cross_process_p99_ratio"]
    print(f"target p99 <= {target}x one process: {'met' if ratio <= target else 'MISSED'}")
    return {"processes": args.processes, "result": asdict(spread), "p99_ratio": ratio}


def add_client_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--client",
        choices=sorted(CLIENTS),
        default="picows",
        help="the library the clients read with: picows notes a message as its frame is read; "
        "websockets (the figures before 7 December 2026) once a task per client has parsed it",
    )


def raise_open_files_limit() -> None:
    """Room for thousands of sockets, here and in the servers (children inherit it)."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    sys.setswitchinterval(0.0005)  # the thread making the changes notes its times promptly


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=1000, help="K websocket clients")
    parser.add_argument("--moves", type=int, default=50, help="M changes")
    parser.add_argument("--database", default="sqlite", help="sqlite, or a PostgreSQL admin URL")
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="2: also the clients split over two app processes sharing PostgreSQL and Redis, "
        "beside the one-process figure of the same run",
    )
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0", help="the bus, for 2")
    add_client_option(parser)
    parser.add_argument("--bare-server", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.processes > 1 and args.database == "sqlite":
        parser.error("several processes share PostgreSQL and Redis: give --database URL")
    if args.bare_server:
        uvloop.run(bare_server(args.bare_server))
        return
    if not 1 <= args.clients <= 10_000 or not 1 <= args.moves <= 1000:
        parser.error("--clients must be within 1..10000 and --moves within 1..1000")
    pin_load_generator()
    raise_open_files_limit()
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # cleaned up like Ctrl-C
    with (
        tempfile.TemporaryDirectory(prefix="toolbox-bench-") as tmp,
        contextlib.ExitStack() as stack,
    ):
        directory = Path(tmp)
        children = Children(directory)
        try:
            database = stack.enter_context(prepared_database(args.database, tmp))
            env = {**os.environ, "TOOLBOX_DATABASE_URL": database, "TOOLBOX_SECRET_KEY": "bench"}
            args.token = setup_database(env)
            app = bench_app(children, env, args)
            floor = bench_baseline(children, args, "uvicorn")
            summary = report(app, floor, bench_baseline(children, args, "bare"), args)
            if args.processes > 1:
                summary["cross_process"] = cross_process(children, env, args, app)
        except (RuntimeError, httpx.HTTPError, OSError, WebSocketException) as error:
            for log in sorted(directory.glob("*.log")):
                print(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}", file=sys.stderr)
            sys.exit(f"fanout: {error}")
        except (KeyboardInterrupt, asyncio.CancelledError):
            sys.exit("fanout: interrupted; every server it started is stopped")
        finally:
            children.close()
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    path = results / f"fanout-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    print(f"results: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
