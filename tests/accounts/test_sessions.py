"""Sessions rotated at sign-in and ended at a password change; API tokens listed on `/me` with
their last use, and revoked at once."""

from __future__ import annotations

import asyncio
import json
import re

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.factories import PASSWORD, bearer, make_board, make_user, origin, signed_in
from tests.servers import LiveServer
from toolbox.db import Database

NEW_PASSWORD = "encore un autre mot de passe"


async def test_signing_in_again_ends_the_session_held_before(
    db: Database, client: httpx.AsyncClient
) -> None:
    person = await make_user(db)
    await signed_in(client, person)
    before = client.cookies["toolbox_session"]
    await signed_in(client, person)
    after = client.cookies["toolbox_session"]
    assert after != before
    async with httpx.AsyncClient(
        base_url=client.base_url, cookies={"toolbox_session": before}
    ) as replay:
        assert (await replay.get("/me")).status_code == 303
    assert (await client.get("/me")).status_code == 200


async def test_changing_the_password_ends_the_other_sessions_and_their_sockets(
    db: Database, server: LiveServer, client: httpx.AsyncClient
) -> None:
    person = await make_user(db)
    board = await make_board(db, facilitator=person)
    await signed_in(client, person)
    async with httpx.AsyncClient(base_url=client.base_url) as other:
        await signed_in(other, person)
        cookie = "; ".join(f"{name}={value}" for name, value in other.cookies.items())
        url = f"ws://127.0.0.1:{server.port}/b/{board.slug}/ws?format=json"
        seq = (await other.get(f"/api/v1/boards/{board.slug}")).json()["seq"]
        async with connect(url, additional_headers={"Cookie": cookie}) as socket:
            await socket.send(json.dumps({"resume": seq}))
            await asyncio.sleep(0.3)
            wrong = await client.post(
                "/me/password",
                data={"current": "pas le bon", "password": NEW_PASSWORD},
                headers={**origin(client), "Accept-Language": "en"},
            )
            assert wrong.status_code == 422
            assert "This is not your current password." in wrong.text
            assert (await other.get("/me")).status_code == 200  # nothing changed
            changed = await client.post(
                "/me/password",
                data={"current": PASSWORD, "password": NEW_PASSWORD},
                headers=origin(client),
            )
            assert changed.status_code == 303
            with pytest.raises(ConnectionClosed) as closed:
                async with asyncio.timeout(1.0):
                    while True:
                        await socket.recv()
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
        assert (await other.get("/me")).status_code == 303
    page = await client.get(changed.headers["location"])
    assert page.status_code == 200 and "Votre mot de passe est changé" in page.text


def _shown_token(page: str) -> str:
    found = re.search(r'<code class="token">([^<]+)</code>', page)
    assert found, page
    return found.group(1)


def _token_rows(page: str) -> list[str]:
    return re.findall(r'<li class="token-row">.*?</li>', page, flags=re.S)


async def test_tokens_are_listed_with_their_last_use_and_revoked_at_once(
    db: Database, client: httpx.AsyncClient
) -> None:
    person = await make_user(db)
    await signed_in(client, person)
    created = await client.post(
        "/me/tokens", data={"name": "Tableur de suivi"}, headers=origin(client)
    )
    assert created.status_code == 200
    token = _shown_token(created.text)
    rows = _token_rows(created.text)
    assert len(rows) == 1 and "jamais utilisé" in rows[0] and "Tableur de suivi" in rows[0]
    auth = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/v1/me/favourites", headers=auth)).status_code == 200
    async with httpx.AsyncClient(base_url=client.base_url) as program:
        assert (await program.get("/api/v1/me/favourites", headers=auth)).status_code == 200
        page = (await client.get("/me")).text
        (row,) = _token_rows(page)
        assert "jamais utilisé" not in row and "dernière utilisation le" in row
        revoke = re.search(r'action="(/me/tokens/\d+/revoke)"', row)
        assert revoke and "data-confirm" in row
        revoked = await client.post(revoke.group(1), headers=origin(client))
        assert revoked.status_code == 303
        # At once: not after the second this process believes what it read of a credential.
        refused = await program.get("/api/v1/me/favourites", headers=auth)
        assert refused.status_code == 401
    page = (await client.get(revoked.headers["location"])).text
    assert _token_rows(page) == [] and "Le jeton est révoqué" in page


async def test_a_token_is_revoked_by_its_owner_only(
    db: Database, client: httpx.AsyncClient
) -> None:
    owner, someone = await make_user(db), await make_user(db)
    auth = await bearer(db, owner)
    await signed_in(client, owner)
    (row,) = _token_rows((await client.get("/me")).text)
    revoke = re.search(r'action="(/me/tokens/\d+/revoke)"', row)
    assert revoke
    async with httpx.AsyncClient(base_url=client.base_url) as theirs:
        await signed_in(theirs, someone)
        answer = await theirs.post(
            revoke.group(1), headers={**origin(theirs), "Accept-Language": "en"}
        )
        assert answer.status_code == 404 and "There is no such token among yours." in answer.text
    assert (await client.get("/api/v1/me/favourites", headers=auth)).status_code == 200
