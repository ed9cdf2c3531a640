"""Resetting a password by mail (`/reset`, `/reset/{token}`): the same answer whether the address
has an account, a link good once and for an hour, and every other session of the account ended,
its open sockets closed."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select, update
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.factories import PASSWORD, make_board, make_user, origin, signed_in
from tests.mailing import MailingServer, link_in
from tests.names import unique
from toolbox.accounts.models import OneTimeToken, User
from toolbox.db import utcnow

NEW_PASSWORD = "un tout nouveau mot de passe"


async def _ask(client: httpx.AsyncClient, email: str) -> httpx.Response:
    return await client.post("/reset", data={"email": email}, headers=origin(client))


def _cookie(client: httpx.AsyncClient) -> dict[str, str]:
    return {"Cookie": "; ".join(f"{name}={value}" for name, value in client.cookies.items())}


async def test_asking_answers_the_same_whether_the_address_has_an_account(
    mailing: MailingServer, visitor: httpx.AsyncClient
) -> None:
    login = await visitor.get("/login")
    assert 'href="/reset"' in login.text and "Mot de passe oublié ?" in login.text
    person = await make_user(mailing.db)
    unknown = f"{unique('personne')}@example.org"
    known_answer = await _ask(visitor, person.email)
    unknown_answer = await _ask(visitor, unknown)
    assert known_answer.status_code == unknown_answer.status_code == 200
    assert known_answer.text == unknown_answer.text
    assert "Si un compte a cette adresse" in known_answer.text
    await mailing.mail_to(person.email)
    await asyncio.sleep(0.5)  # the worker has had time to send any other mail queued
    assert mailing.mails_to(unknown) == []


async def test_asking_takes_comparable_time_either_way(
    mailing: MailingServer, visitor: httpx.AsyncClient
) -> None:
    person = await make_user(mailing.db)
    unknown = f"{unique('personne')}@example.org"

    async def timed(email: str) -> float:
        started = time.perf_counter()
        assert (await _ask(visitor, email)).status_code == 200
        return time.perf_counter() - started

    known_times, unknown_times = [], []
    for _ in range(7):
        known_times.append(await timed(person.email))
        unknown_times.append(await timed(unknown))
    known, absent = sorted(known_times)[3], sorted(unknown_times)[3]
    # Medians: a network round trip dwarfs the difference (two inserts); a lookup that
    # hashed a password for one branch only would show tens of milliseconds here.
    assert abs(known - absent) < 0.02, (known_times, unknown_times)


async def test_the_link_works_once_and_ends_every_other_session(
    mailing: MailingServer, visitor: httpx.AsyncClient
) -> None:
    person = await make_user(mailing.db)
    board = await make_board(mailing.db, facilitator=person)
    async with httpx.AsyncClient(base_url=mailing.url) as elsewhere:
        await signed_in(elsewhere, person)
        url = f"ws://127.0.0.1:{mailing.server.port}/b/{board.slug}/ws?format=json"
        seq = (await elsewhere.get(f"/api/v1/boards/{board.slug}")).json()["seq"]
        async with connect(url, additional_headers=_cookie(elsewhere)) as socket:
            await socket.send(json.dumps({"resume": seq}))
            await asyncio.sleep(0.3)
            assert (await _ask(visitor, person.email)).status_code == 200
            link = link_in(await mailing.mail_to(person.email), mailing.url)
            assert link.startswith("/reset/")
            form = await visitor.get(link)
            assert form.status_code == 200 and 'name="password"' in form.text
            reset = await visitor.post(
                link, data={"password": NEW_PASSWORD}, headers=origin(visitor)
            )
            assert reset.status_code == 303 and reset.headers["location"] == "/me"
            # The old session's socket is closed at once (policy: its rights ended).
            with pytest.raises(ConnectionClosed) as closed:
                async with asyncio.timeout(1.0):
                    while True:
                        await socket.recv()
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
        # The old session is signed out; the new one, here, is signed in.
        assert (await elsewhere.get("/me")).status_code == 303
    me = await visitor.get("/me")
    assert me.status_code == 200 and person.email in me.text
    # Once only.
    again = await visitor.post(
        link, data={"password": "encore autre chose"}, headers=origin(visitor)
    )
    assert again.status_code == 410 and "Ce lien a expiré ou a déjà servi" in again.text
    assert (await visitor.get(link)).status_code == 410
    # The new password signs in, the old one no longer does (this server counts failures in
    # its own memory: no shared Redis).
    async with httpx.AsyncClient(base_url=mailing.url) as fresh:
        old = await fresh.post(
            "/login", data={"email": person.email, "password": PASSWORD}, headers=origin(fresh)
        )
        assert old.status_code == 422
        new = await fresh.post(
            "/login", data={"email": person.email, "password": NEW_PASSWORD}, headers=origin(fresh)
        )
        assert new.status_code == 303


async def test_the_link_expires_within_the_hour(
    mailing: MailingServer, visitor: httpx.AsyncClient
) -> None:
    person = await make_user(mailing.db)
    assert (await _ask(visitor, person.email)).status_code == 200
    link = link_in(await mailing.mail_to(person.email), mailing.url)
    async with mailing.db.write() as session:
        created, expires = (
            await session.execute(
                select(OneTimeToken.created_at, OneTimeToken.expires_at).where(
                    OneTimeToken.user_id == person.id
                )
            )
        ).one()
        assert expires - created <= timedelta(hours=1)
        # An hour later, as far as the link knows.
        await session.execute(
            update(OneTimeToken)
            .where(OneTimeToken.user_id == person.id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        before = (await session.get(User, person.id)).password_hash  # type: ignore[union-attr]
    assert (await visitor.get(link, headers={"Accept-Language": "en"})).status_code == 410
    refused = await visitor.post(
        link, data={"password": NEW_PASSWORD}, headers={**origin(visitor), "Accept-Language": "en"}
    )
    assert refused.status_code == 410
    assert "This link has expired or was already used. Ask for a new one." in refused.text
    assert "toolbox_session" not in refused.cookies
    async with mailing.db.read() as session:
        assert (await session.get(User, person.id)).password_hash == before  # type: ignore[union-attr]


async def test_a_short_new_password_is_a_sentence_and_keeps_the_link(
    mailing: MailingServer, visitor: httpx.AsyncClient
) -> None:
    person = await make_user(mailing.db)
    assert (await _ask(visitor, person.email)).status_code == 200
    link = link_in(await mailing.mail_to(person.email), mailing.url)
    short = await visitor.post(link, data={"password": "court"}, headers=origin(visitor))
    assert short.status_code == 422 and "au moins 8 caractères" in short.text
    good = await visitor.post(link, data={"password": NEW_PASSWORD}, headers=origin(visitor))
    assert good.status_code == 303


async def test_a_malformed_address_is_a_sentence(visitor: httpx.AsyncClient) -> None:
    answer = await visitor.post(
        "/reset",
        data={"email": "pas une adresse"},
        headers={**origin(visitor), "Accept-Language": "en"},
    )
    assert answer.status_code == 422 and "This is not a valid e-mail address." in answer.text
