"""A room opening the board at once (bench/pages.py), and the small HTTP/1.1 client it uses.

The client is plain asyncio streams, as bench/contention.py's `burst`: an HTTP library would
spend more CPU per request than the server does, on the core the load generator shares with
nothing else, and time itself. It speaks just enough HTTP/1.1 for what the app answers:
`Content-Length` or chunked bodies, keep-alive.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from html.parser import HTMLParser

from bench.harness import percentile
from bench.wrk import BROWSER_HEADERS

HOST = "127.0.0.1"
ROOM_TIMEOUT = 120.0  # seconds for a whole room: beyond that a client counts as not served


@dataclass
class Answer:
    status: int
    headers: dict[str, str]  # names in lowercase
    body: bytes


def request_bytes(port: int, path: str, headers: dict[str, str] | None = None) -> bytes:
    """A browser's GET, kept alive."""
    lines = [f"GET {path} HTTP/1.1", f"Host: {HOST}:{port}", "Connection: keep-alive"]
    lines += [f"{name}: {value}" for name, value in {**BROWSER_HEADERS, **(headers or {})}.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def read_answer(reader: asyncio.StreamReader) -> Answer:
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        if ":" in line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    status = int(status_line.split(" ", 2)[1])
    if status == 304 or status < 200:
        return Answer(status, headers, b"")
    if headers.get("transfer-encoding", "").lower() == "chunked":
        return Answer(status, headers, await _chunks(reader))
    return Answer(status, headers, await reader.readexactly(int(headers["content-length"])))


async def _chunks(reader: asyncio.StreamReader) -> bytes:
    body = bytearray()
    while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
        body += await reader.readexactly(size)
        await reader.readexactly(2)  # the CRLF after each chunk
    await reader.readuntil(b"\r\n")  # no trailers are sent: the last CRLF
    return bytes(body)


async def get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> Answer:
    writer.write(request)
    return await read_answer(reader)


async def one_by_one(port: int, requests: list[bytes]) -> list[tuple[int, float]]:
    """Each request after the previous answer, on one kept-alive connection: (status, ms)."""
    reader, writer = await asyncio.open_connection(HOST, port)
    timings = []
    try:
        for request in requests:
            began = time.perf_counter()
            answer = await get(reader, writer, request)
            timings.append((answer.status, (time.perf_counter() - began) * 1000))
    finally:
        writer.close()
    return timings


class _Assets(HTMLParser):
    """What a browser fetches before it can show a page: its scripts and style sheets."""

    def __init__(self) -> None:
        super().__init__()
        self.paths: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script" and found.get("src"):
            self.paths.append(str(found["src"]))
        rel = (found.get("rel") or "").split()
        if tag == "link" and found.get("href") and {"stylesheet", "modulepreload"} & set(rel):
            self.paths.append(str(found["href"]))


def page_assets(html: str) -> list[str]:
    """The same-origin scripts and style sheets the page links, in order, each once."""
    parser = _Assets()
    parser.feed(html)
    return list(dict.fromkeys(path for path in parser.paths if path.startswith("/")))


@dataclass
class RoomResult:
    clients: int
    served: int  # clients that got the page and every asset with a 200 or a 304
    statuses: dict[str, int]
    p50_ms: float
    p99_ms: float
    last_ms: float  # when the last client had everything
    client_cpu_ms: float  # this process's, for all the clients: a bound on what it measured
    assets: list[str]


async def _client(
    port: int, requests: list[bytes], start: asyncio.Event
) -> tuple[list[int], float]:
    """One person: a connection of their own, the page and then its assets on it, one after
    another as a browser's first connection does; (statuses, seconds to have everything)."""
    await start.wait()
    began = time.perf_counter()
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        statuses = [(await get(reader, writer, request)).status for request in requests]
    finally:
        writer.close()
    return statuses, time.perf_counter() - began


async def room(port: int, page: str, assets: list[str], clients: int) -> RoomResult:
    """`clients` people open the page at the same moment."""
    requests = [request_bytes(port, path) for path in [page, *assets]]
    start = asyncio.Event()
    tasks = [asyncio.create_task(_client(port, requests, start)) for _ in range(clients)]
    await asyncio.sleep(0.2)  # every task waiting at the line
    started, cpu = time.perf_counter(), time.process_time()
    start.set()
    done, pending = await asyncio.wait(tasks, timeout=ROOM_TIMEOUT)
    last, cpu = time.perf_counter() - started, time.process_time() - cpu
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    statuses: dict[str, int] = {}
    # Whoever did not get everything waited the whole room's time, as far as the p99 knows.
    times, served = [ROOM_TIMEOUT * 1000] * len(pending), 0
    for task in done:
        if task.exception() is not None:
            statuses["failed"] = statuses.get("failed", 0) + 1
            times.append(ROOM_TIMEOUT * 1000)
            continue
        codes, seconds = task.result()
        for code in codes:
            statuses[str(code)] = statuses.get(str(code), 0) + 1
        if len(codes) == len(requests) and all(code in (200, 304) for code in codes):
            served += 1
        times.append(seconds * 1000)
    if pending:
        statuses["timed out"] = len(pending)
    else:  # when the last answer arrived, not when this task noticed
        last = max(times, default=0.0) / 1000
    return RoomResult(
        clients=clients,
        served=served,
        statuses=statuses,
        p50_ms=percentile(times, 50),
        p99_ms=percentile(times, 99),
        last_ms=last * 1000,
        client_cpu_ms=cpu * 1000,
        assets=assets,
    )
