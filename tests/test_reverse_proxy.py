"""Two app processes on PostgreSQL and Redis behind a real nginx, round-robin, no sticky
sessions, configured by the very file the deployment guide gives (deploy/nginx-toolbox.conf):
a page, a websocket upgraded through the proxy, a change made through one process reaching a
socket held by the other, and the client's address taken from `X-Forwarded-For` only because
the proxy is listed in TOOLBOX_TRUSTED_PROXIES."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect

from tests.factories import bearer, make_board, make_user
from tests.servers import free_port
from toolbox.cli import stop_server
from toolbox.db import Database

ROOT = Path(__file__).resolve().parent.parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
REDIS_URL = os.environ.get("TOOLBOX_TEST_REDIS_URL", "")
REQUIRE_ALL = os.environ.get("TOOLBOX_TEST_REQUIRE_ALL") == "1"
#: A client's own address on the loopback, told apart from the proxy's (127.0.0.1).
CLIENT = "127.0.0.9"
FORGED = "203.0.113.7"

pytestmark = pytest.mark.postgres


def _wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"it died at start:\n{log.read_text(errors='replace')}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port} after 20 s:\n{log.read_text(errors='replace')}")


@dataclass
class Deployment:
    url: str
    app_ports: list[int]
    logs: list[Path]

    def app_output(self) -> str:
        return "".join(log.read_text(errors="replace") for log in self.logs)


def nginx_site(app_ports: list[int], port: int) -> str:
    """deploy/nginx-toolbox.conf with the test's addresses in place of the example's."""
    site = (ROOT / "deploy" / "nginx-toolbox.conf").read_text()
    servers = "".join(f"    server 127.0.0.1:{p};\n" for p in app_ports)
    site, count = re.subn(
        r"    server 127\.0\.0\.1:8001;[^\n]*\n    server [^\n]*\n", servers, site
    )
    assert count == 1, "the upstream of deploy/nginx-toolbox.conf changed shape"
    site, count = re.subn(r"listen 127\.0\.0\.1:8080;", f"listen 127.0.0.1:{port};", site)
    assert count == 1, "the listen line of deploy/nginx-toolbox.conf changed shape"
    return site


@pytest.fixture
def deployment(backend: str, database_url: str) -> Iterator[Deployment]:
    if backend != "postgres":
        pytest.skip("several processes share PostgreSQL, not a SQLite file")
    if not REDIS_URL or not os.path.exists(NGINX):
        if REQUIRE_ALL:
            pytest.fail("TOOLBOX_TEST_REQUIRE_ALL=1 needs TOOLBOX_TEST_REDIS_URL and nginx")
        pytest.skip("needs TOOLBOX_TEST_REDIS_URL and nginx (Debian's nginx-light)")
    port = free_port()
    app_ports = [free_port(), free_port()]
    with tempfile.TemporaryDirectory(prefix="toolbox-proxy-") as directory:
        folder = Path(directory)
        env = {
            **os.environ,
            "TOOLBOX_DATABASE_URL": database_url,
            "TOOLBOX_BROADCAST_URL": REDIS_URL,
            "TOOLBOX_SECRET_KEY": "proxy-test",
            "TOOLBOX_BASE_URL": f"http://127.0.0.1:{port}",
            "TOOLBOX_TRUSTED_PROXIES": "127.0.0.1",
        }
        processes: list[subprocess.Popen[bytes]] = []
        logs = [folder / f"app-{n}.log" for n in range(2)]
        try:
            for app_port, log in zip(app_ports, logs, strict=True):
                command = [sys.executable, "-m", "toolbox.cli", "serve", "--port", str(app_port)]
                with log.open("wb") as out:
                    processes.append(
                        subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
                    )
                _wait_for_port(app_port, processes[-1], log)
            (folder / "toolbox.conf").write_text(nginx_site(app_ports, port))
            (folder / "nginx.conf").write_text(
                "user root;\nworker_processes 1;\n"
                f"pid {folder}/nginx.pid;\nerror_log {folder}/error.log;\n"
                "events { worker_connections 512; }\n"
                "http {\n  access_log off;\n"
                + "".join(
                    f"  {kind}_temp_path {folder}/{kind};\n"
                    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
                )
                + f"  include {folder}/toolbox.conf;\n}}\n"
            )
            nginx_log = folder / "nginx.out"
            config = str(folder / "nginx.conf")
            with nginx_log.open("wb") as out:
                processes.append(
                    subprocess.Popen(
                        [NGINX, "-p", str(folder), "-c", config, "-g", "daemon off;"],
                        stdout=out,
                        stderr=out,
                    )
                )
            _wait_for_port(port, processes[-1], nginx_log)
            yield Deployment(f"http://127.0.0.1:{port}", app_ports, logs)
        finally:
            for process in processes:
                stop_server(process)


# Several processes share a PostgreSQL database: there is no SQLite variant of this test.
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_two_processes_behind_nginx(db: Database, deployment: Deployment) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    auth = await bearer(db, facilitator)
    async with httpx.AsyncClient(base_url=deployment.url, timeout=20) as http:
        page = await http.get(f"/b/{board.slug}")
        assert page.status_code == 200 and board.title in page.text
        column = await http.post(
            f"/api/v1/boards/{board.slug}/columns", json={"title": "Lexique"}, headers=auth
        )
        assert column.status_code == 201
        seq = (await http.get(f"/api/v1/boards/{board.slug}")).json()["seq"]
        address = deployment.url.replace("http://", "ws://")
        async with connect(
            f"{address}/b/{board.slug}/ws?format=json", origin=deployment.url
        ) as live:
            await live.send(json.dumps({"resume": seq}))
            await asyncio.sleep(0.3)
            # Round-robin: of two changes, one at least goes through the process that does not
            # hold this socket, and reaches it through Redis.
            titles = ["Par le mandataire 1", "Par le mandataire 2"]
            for title in titles:
                created = await http.post(
                    f"/api/v1/boards/{board.slug}/cards",
                    json={"column_id": column.json()["id"], "title": title},
                    headers=auth,
                )
                assert created.status_code == 201
            received = []
            async with asyncio.timeout(10):
                while len(received) < 2:
                    message = json.loads(await live.recv())
                    if message.get("type") == "card.created":
                        received.append(message["data"]["card"]["title"])
            assert received == titles

    # The client's address: from the proxy's X-Forwarded-For, because the proxy is trusted...
    through = httpx.AsyncHTTPTransport(local_address=CLIENT)
    async with httpx.AsyncClient(transport=through, base_url=deployment.url) as client:
        assert (await client.get("/healthz?through-the-proxy")).status_code == 200
    # ...and never from a header a client sends straight to an app process.
    direct = httpx.AsyncHTTPTransport(local_address=CLIENT)
    async with httpx.AsyncClient(
        transport=direct, base_url=f"http://127.0.0.1:{deployment.app_ports[0]}"
    ) as client:
        forged = await client.get("/healthz?forged", headers={"X-Forwarded-For": FORGED})
        assert forged.status_code == 200
    await asyncio.sleep(0.3)  # the access log is written as the answer goes
    output = deployment.app_output()
    proxied = [line for line in output.splitlines() if "through-the-proxy" in line]
    assert proxied and f"{CLIENT}:" in proxied[0]
    straight = [line for line in output.splitlines() if "/healthz?forged" in line]
    assert straight and f"{CLIENT}:" in straight[0]
    assert FORGED not in output
