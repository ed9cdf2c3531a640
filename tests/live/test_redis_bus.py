"""Several app processes sharing one PostgreSQL and a Redis bus: a change made through one
process reaches the websocket clients of another, and presence adds up across them; the other
process's next read shows it (its kept renderings follow the seq heard on the bus), and a
session ended in one process stops working in the other at once."""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.factories import PASSWORD, bearer, make_board, make_user, origin, signed_in
from tests.servers import LiveServer, wait_until
from toolbox.accounts.throttle import FAILURES
from toolbox.db import Database

REDIS_URL = os.environ.get("TOOLBOX_TEST_REDIS_URL", "")
REQUIRE_ALL = os.environ.get("TOOLBOX_TEST_REQUIRE_ALL") == "1"

# Several processes share a PostgreSQL database: there is no SQLite variant of these tests.
pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("backend", ["postgres"], indirect=True)]


@pytest.fixture(scope="module")
def redis_url() -> str:
    if not REDIS_URL:
        if REQUIRE_ALL:
            pytest.fail("TOOLBOX_TEST_REQUIRE_ALL=1 but TOOLBOX_TEST_REDIS_URL is unset")
        pytest.skip("set TOOLBOX_TEST_REDIS_URL to run with Redis")
    return REDIS_URL


@pytest.fixture
def two_processes(
    backend: str, database_url: str, redis_url: str
) -> Iterator[tuple[LiveServer, LiveServer]]:
    if backend != "postgres":
        pytest.skip("several processes share PostgreSQL, not a SQLite file")
    # Each believes the seqs it hears for a minute: only the bus can tell it of a change.
    env = {"TOOLBOX_BROADCAST_URL": redis_url, "TOOLBOX_SEQ_TRUST_SECONDS": "60"}
    servers = [LiveServer(database_url, env=env) for _ in range(2)]
    for server in servers:
        server.start()
    yield servers[0], servers[1]
    for server in servers:
        server.stop()


@pytest.fixture
async def client_a(
    two_processes: tuple[LiveServer, LiveServer],
) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=two_processes[0].url) as http:
        yield http


async def test_change_through_one_process_reaches_clients_of_the_other(
    db: Database, two_processes: tuple[LiveServer, LiveServer], client_a: httpx.AsyncClient
) -> None:
    server_a, server_b = two_processes
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    auth = await bearer(db, facilitator)
    column = await client_a.post(
        f"/api/v1/boards/{board.slug}/columns", json={"title": "Col"}, headers=auth
    )
    seq = (await client_a.get(f"/api/v1/boards/{board.slug}")).json()["seq"]
    url_b = f"ws://127.0.0.1:{server_b.port}/b/{board.slug}/ws?format=json"
    url_a = f"ws://127.0.0.1:{server_a.port}/b/{board.slug}/ws?format=json"
    async with connect(url_b) as on_b, connect(url_a) as on_a:
        for ws in (on_a, on_b):
            await ws.send(json.dumps({"resume": seq}))
        await asyncio.sleep(0.3)
        for n in range(3):
            created = await client_a.post(
                f"/api/v1/boards/{board.slug}/cards",
                json={"column_id": column.json()["id"], "title": f"Par A {n}"},
                headers=auth,
            )
            assert created.status_code == 201
        events = []
        counts = set()
        async with asyncio.timeout(10):
            while len(events) < 3 or 2 not in counts:
                message = json.loads(await on_b.recv())
                if message.get("type") == "presence":
                    counts.add(message["data"]["count"])
                else:
                    events.append(message)
        assert [e["seq"] for e in events] == [seq + 1, seq + 2, seq + 3]
        assert [e["data"]["card"]["title"] for e in events] == ["Par A 0", "Par A 1", "Par A 2"]
        assert 2 in counts  # one client on each process, counted together


async def test_a_change_through_one_process_reaches_the_next_read_of_the_other(
    db: Database, two_processes: tuple[LiveServer, LiveServer], client_a: httpx.AsyncClient
) -> None:
    _, server_b = two_processes
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    auth = await bearer(db, facilitator)
    column = await client_a.post(
        f"/api/v1/boards/{board.slug}/columns", json={"title": "Lexique"}, headers=auth
    )
    async with httpx.AsyncClient(base_url=server_b.url) as client_b:
        for _ in range(2):  # kept on B, as a visitor's whole answer too
            before = await client_b.get(f"/b/{board.slug}")
            assert "Glossaire de poche" not in before.text
        created = await client_a.post(
            f"/api/v1/boards/{board.slug}/cards",
            json={"column_id": column.json()["id"], "title": "Glossaire de poche"},
            headers=auth,
        )
        assert created.status_code == 201

        async def seen_on_b() -> bool:
            return "Glossaire de poche" in (await client_b.get(f"/b/{board.slug}")).text

        # B believes what it heard for a minute: only the bus can have told it this soon.
        await wait_until(seen_on_b, within=1.0)


async def test_a_session_ended_in_one_process_stops_working_in_the_other_at_once(
    db: Database, two_processes: tuple[LiveServer, LiveServer], client_a: httpx.AsyncClient
) -> None:
    _, server_b = two_processes
    person = await make_user(db)
    await signed_in(client_a, person)
    async with httpx.AsyncClient(base_url=server_b.url, cookies=client_a.cookies) as client_b:
        assert (await client_b.get("/me")).status_code == 200  # B now believes it for a second
        logout = await client_a.post("/logout", headers=origin(client_a))
        assert logout.status_code == 303

        async def refused_on_b() -> bool:
            return (await client_b.get("/me")).status_code == 303

        # Sooner than B's own second of belief: the end was told over the bus.
        await wait_until(refused_on_b, within=0.5, interval=0.02)


async def test_a_session_ended_in_one_process_closes_its_sockets_in_the_other(
    db: Database, two_processes: tuple[LiveServer, LiveServer], client_a: httpx.AsyncClient
) -> None:
    """DESIGN.md §4, "Who may see, re-checked": signed out through one process, the same
    person's socket held by the other is closed within a second, before any later event."""
    _, server_b = two_processes
    person = await make_user(db)
    board = await make_board(db, facilitator=person)
    await signed_in(client_a, person)
    cookie = "; ".join(f"{name}={value}" for name, value in client_a.cookies.items())
    url = f"ws://127.0.0.1:{server_b.port}/b/{board.slug}/ws?format=json"
    seq = (await client_a.get(f"/api/v1/boards/{board.slug}")).json()["seq"]
    async with connect(url, additional_headers={"Cookie": cookie}) as on_b:
        await on_b.send(json.dumps({"resume": seq}))
        await asyncio.sleep(0.3)
        assert (await client_a.post("/logout", headers=origin(client_a))).status_code == 303
        frames = []
        with pytest.raises(ConnectionClosed) as closed:
            async with asyncio.timeout(1.0):
                while True:
                    frames.append(json.loads(await on_b.recv()))
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
        assert all(frame.get("type") == "presence" for frame in frames)


async def test_failed_logins_are_counted_across_processes(
    db: Database, two_processes: tuple[LiveServer, LiveServer]
) -> None:
    """The login throttle counts in the bus's Redis: ten wrong passwords through one process
    close the account in the other too. From loopback addresses of the test's own, as Redis
    keeps the counts for fifteen minutes, across test runs."""
    server_a, server_b = two_processes
    person = await make_user(db)
    block = random.randrange(10, 250)

    def person_at(server: LiveServer, host: int) -> httpx.AsyncClient:
        transport = httpx.AsyncHTTPTransport(local_address=f"127.{block}.2.{host}")
        return httpx.AsyncClient(
            transport=transport, base_url=server.url, headers={"Origin": server.url}
        )

    async with person_at(server_a, 1) as attacker, person_at(server_b, 2) as owner:
        for _ in range(FAILURES):
            wrong = await attacker.post(
                "/login", data={"email": person.email, "password": "pas le bon"}
            )
            assert wrong.status_code == 422
        refused = await owner.post("/login", data={"email": person.email, "password": PASSWORD})
        assert refused.status_code == 429


async def test_a_token_revoked_in_one_process_is_refused_in_the_other_at_once(
    db: Database, two_processes: tuple[LiveServer, LiveServer], client_a: httpx.AsyncClient
) -> None:
    _, server_b = two_processes
    person = await make_user(db)
    auth = await bearer(db, person)
    await signed_in(client_a, person)
    async with httpx.AsyncClient(base_url=server_b.url) as program_on_b:
        # B now believes the token for a second.
        assert (await program_on_b.get("/api/v1/me/favourites", headers=auth)).status_code == 200
        page = (await client_a.get("/me")).text
        revoke = re.search(r'action="(/me/tokens/\d+/revoke)"', page)
        assert revoke
        revoked = await client_a.post(revoke.group(1), headers=origin(client_a))
        assert revoked.status_code == 303

        async def refused_on_b() -> bool:
            answer = await program_on_b.get("/api/v1/me/favourites", headers=auth)
            return answer.status_code == 401

        # Sooner than B's own second of belief: the revocation was told over the bus.
        await wait_until(refused_on_b, within=0.5, interval=0.02)


async def test_a_password_changed_in_one_process_closes_the_other_sessions_sockets_in_the_other(
    db: Database, two_processes: tuple[LiveServer, LiveServer], client_a: httpx.AsyncClient
) -> None:
    _, server_b = two_processes
    person = await make_user(db)
    board = await make_board(db, facilitator=person)
    await signed_in(client_a, person)
    async with httpx.AsyncClient(base_url=server_b.url) as phone:
        await signed_in(phone, person)
        cookie = "; ".join(f"{name}={value}" for name, value in phone.cookies.items())
        url = f"ws://127.0.0.1:{server_b.port}/b/{board.slug}/ws?format=json"
        seq = (await phone.get(f"/api/v1/boards/{board.slug}")).json()["seq"]
        async with connect(url, additional_headers={"Cookie": cookie}) as on_b:
            await on_b.send(json.dumps({"resume": seq}))
            await asyncio.sleep(0.3)
            changed = await client_a.post(
                "/me/password",
                data={"current": PASSWORD, "password": "un nouveau mot de passe"},
                headers=origin(client_a),
            )
            assert changed.status_code == 303
            with pytest.raises(ConnectionClosed) as closed:
                async with asyncio.timeout(1.0):
                    while True:
                        await on_b.recv()
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
        assert (await phone.get("/me")).status_code == 303
    assert (await client_a.get("/me")).status_code == 200


async def test_one_session_holds_at_most_ten_sockets_across_processes(
    db: Database, two_processes: tuple[LiveServer, LiveServer], client_a: httpx.AsyncClient
) -> None:
    """The ten sockets of a session are counted in the bus's Redis: five held on each process,
    an eleventh is refused on either; one closed on A makes room on B."""
    server_a, server_b = two_processes
    person = await make_user(db)
    board = await make_board(db, facilitator=person)
    await signed_in(client_a, person)
    cookie = {"Cookie": "; ".join(f"{k}={v}" for k, v in client_a.cookies.items())}
    on_a = f"ws://127.0.0.1:{server_a.port}/b/{board.slug}/ws?format=json"
    on_b = f"ws://127.0.0.1:{server_b.port}/b/{board.slug}/ws?format=json"
    held = [await connect(on_a, additional_headers=cookie) for _ in range(5)]
    held += [await connect(on_b, additional_headers=cookie) for _ in range(5)]
    try:
        for url in (on_a, on_b):
            with pytest.raises(InvalidStatus) as refused:
                await connect(url, additional_headers=cookie)
            assert refused.value.response.status_code == 403
        await held.pop(0).close()  # one of A's

        async def admitted_on_b() -> bool:
            try:
                held.append(await connect(on_b, additional_headers=cookie))
            except InvalidStatus:
                return False
            return True

        await wait_until(admitted_on_b, within=2.0, interval=0.05)
    finally:
        for socket in held:
            await socket.close()
