"""`/healthz` (the process answers) and `/readyz` (the database and the bus answer too), on a
real server; a bus that does not answer makes the process not ready, and it still starts."""

from __future__ import annotations

import os

import httpx

from tests.servers import LiveServer, free_port

REDIS_URL = os.environ.get("TOOLBOX_TEST_REDIS_URL", "")


async def test_a_running_process_is_healthy_and_ready(client: httpx.AsyncClient) -> None:
    health = await client.get("/healthz")
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "database": "ok", "bus": "ok"}
    assert ready.headers["cache-control"] == "no-store"


async def test_a_process_whose_bus_does_not_answer_is_not_ready(database_url: str) -> None:
    # Nothing listens on this port: the Redis bus cannot connect.
    server = LiveServer(
        database_url, env={"TOOLBOX_BROADCAST_URL": f"redis://127.0.0.1:{free_port()}/0"}
    )
    server.start()
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=20) as http:
            assert (await http.get("/healthz")).status_code == 200
            ready = await http.get("/readyz")
            assert ready.status_code == 503
            assert ready.json() == {"status": "unavailable", "database": "ok", "bus": "unavailable"}
            # Pages still answer from the database.
            assert (await http.get("/")).status_code == 200
    finally:
        server.stop()
