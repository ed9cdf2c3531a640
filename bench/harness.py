"""What the benchmarks share: a throwaway database, the app in a real uvicorn process."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

import asyncpg
import httpx

from toolbox.cli import stop_server, uvicorn_command

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


CLK_TCK = os.sysconf("SC_CLK_TCK")

#: Servers run on the first core, the load generator (this process) on the second, so that
#: neither measures the other's work (DESIGN.md §7). A machine with one core runs both on it.
SERVER_CORE, LOAD_CORE = 0, 1


def pin_load_generator() -> None:
    """Keep this process (and the servers it starts, until they pin themselves) off the
    server's core."""
    if len(os.sched_getaffinity(0)) > 1:
        os.sched_setaffinity(0, {LOAD_CORE})


def pin_to_server_core() -> None:
    """A subprocess's `preexec_fn`: the server runs on its own core."""
    if (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {SERVER_CORE})


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU of process `pid` and of its children (uvicorn's workers), from /proc."""
    total = 0.0
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            total += tree_cpu_seconds(int(child))
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return total + (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[rank]


@contextmanager
def prepared_database(kind: str, directory: str) -> Iterator[str]:
    """A migrated database: a SQLite file in `directory`, or a new PostgreSQL database made with
    the admin URL `kind` and dropped afterwards."""
    from toolbox.schema import upgrade

    if kind == "sqlite":
        url = f"sqlite+aiosqlite:///{directory}/bench.db"
        upgrade(url)
        yield url
        return
    name = f"toolbox_bench_{uuid.uuid4().hex[:10]}"
    admin = kind.replace("postgresql+asyncpg://", "postgresql://", 1)
    asyncio.run(_pg(admin, f'CREATE DATABASE "{name}"'))
    url = f"{kind.rpartition('/')[0]}/{name}"
    try:
        upgrade(url)
        yield url
    finally:
        asyncio.run(_pg(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _pg(dsn: str, statement: str) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def serving(command: list[str], target: str) -> list[str]:
    """`uvicorn_command`'s command line serving the ASGI app `target` ("module:attribute")
    instead of the app: a baseline under exactly the options the app is served with."""
    at = command.index("--factory")
    return [*command[:at], target, *command[at + 2 :]]


class AppServer:
    """The app as production runs it: uvicorn in its own process, no per-message compression.

    `target` ("module:attribute") serves another ASGI app, a baseline, the same way."""

    def __init__(
        self,
        database_url: str,
        env: dict[str, str] | None = None,
        workers: int = 1,
        target: str | None = None,
    ) -> None:
        self.port = free_port()
        self.workers = workers
        self.target = target
        self.env = {
            **os.environ,
            "TOOLBOX_DATABASE_URL": database_url,
            "TOOLBOX_SECRET_KEY": "bench",
            "TOOLBOX_BASE_URL": f"http://127.0.0.1:{self.port}",
            **(env or {}),
        }
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> AppServer:
        command = uvicorn_command(
            "127.0.0.1", self.port, "--log-level", "warning", "--backlog", "4096"
        )
        if self.workers > 1:
            command += ["--workers", str(self.workers)]
        if self.target:
            command = serving(command, self.target)
        self.process = subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=self.env, preexec_fn=pin_to_server_core
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("the app died at start")
            try:
                httpx.get(f"{self.url}/api/v1/boards", timeout=1)
                return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("the app did not answer within 30 s")

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.process:
            stop_server(self.process)
