"""Real servers for the tests: a throwaway database per backend and uvicorn in a subprocess."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx

from toolbox.cli import stop_server, uvicorn_command
from toolbox.schema import upgrade

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def sqlite_url(directory: str) -> str:
    return f"sqlite+aiosqlite:///{directory}/toolbox-test.db"


@asynccontextmanager
async def migrated_database(backend: str, directory: str, admin_url: str) -> AsyncIterator[str]:
    """A fresh database at the latest schema: a SQLite file in `directory`, or a PostgreSQL
    database made with `admin_url` and dropped afterwards."""
    if backend == "sqlite":
        url = sqlite_url(directory)
        await asyncio.to_thread(upgrade, url)
        yield url
        return
    url, name = await create_postgres_database(admin_url)
    try:
        await asyncio.to_thread(upgrade, url)
        yield url
    finally:
        await drop_postgres_database(admin_url, name)


async def create_postgres_database(admin_url: str) -> tuple[str, str]:
    """A fresh PostgreSQL database for one test session: (its SQLAlchemy URL, its name)."""
    name = f"toolbox_test_{uuid.uuid4().hex[:12]}"
    connection = await asyncpg.connect(_asyncpg_dsn(admin_url))
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    base, _sep, _db = admin_url.rpartition("/")
    return f"{base}/{name}", name


async def drop_postgres_database(admin_url: str, name: str) -> None:
    connection = await asyncpg.connect(_asyncpg_dsn(admin_url))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


def _asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


@dataclass
class LiveServer:
    """`toolbox` served by uvicorn in its own process, on a free port, with its output kept."""

    database_url: str
    env: dict[str, str] = field(default_factory=dict)
    #: More uvicorn options, after (and so over) those of `toolbox serve`.
    options: tuple[str, ...] = ()
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.log = Path(tempfile.mkstemp(prefix="toolbox-server-", suffix=".log")[1])
        env = {
            **os.environ,
            "TOOLBOX_DATABASE_URL": self.database_url,
            "TOOLBOX_BASE_URL": self.url,
            "TOOLBOX_SECRET_KEY": "test-secret-key",
            # Tests write through a database of their own (tests/factories.py), as the command
            # line would: no bus tells the server, so by default it believes no seq and asks the
            # database at each read. tests/test_board_clock.py runs servers that believe the bus.
            "TOOLBOX_SEQ_TRUST_SECONDS": "0",
            **self.env,
        }
        command = uvicorn_command("127.0.0.1", self.port, *self.options)
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server died at start:\n{self.output()}")
            try:
                httpx.get(f"{self.url}/api/v1/boards", timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(f"the server did not answer in 20 s:\n{self.output()}")

    def stop(self) -> None:
        if self.process:
            stop_server(self.process)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log else ""


async def wait_until(
    predicate: Callable[[], Awaitable[bool]], within: float = 5.0, interval: float = 0.02
) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if await predicate():
            return
        await asyncio.sleep(interval)
    raise AssertionError("the condition did not come true in time")
