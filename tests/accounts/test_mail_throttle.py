"""Account mails per recipient (toolbox/accounts/throttle.py): at most `MAILS` to one address
within the hour, whatever form asks (a reset, a registration with an address that has an
account, the confirmation link sent again), so that nobody can fill someone's mailbox from the
site; the forms answer as before, and the person who asks for their own link again is told."""

from __future__ import annotations

import asyncio

import httpx

from tests.factories import make_board, make_user, origin
from tests.mailing import MailingServer
from tests.names import unique
from toolbox.accounts.throttle import MAILS
from toolbox.board.models import Board, Registration
from toolbox.db import Database


async def _open_board(db: Database) -> Board:
    """A board anyone may register on, with a facilitator of its own."""
    facilitator = await make_user(db)
    return await make_board(db, facilitator=facilitator, registration=Registration.open)


async def _all_arrived(mailing: MailingServer, address: str) -> int:
    """How many mails reached `address`, once the `MAILS` expected have and a moment more."""
    await mailing.mail_to(address, count=MAILS)
    await asyncio.sleep(0.5)  # the worker has had time to send any mail queued past those
    return len(mailing.mails_to(address))


async def test_reset_links_stop_at_the_hours_limit_and_the_answer_stays_the_same(
    mailing: MailingServer, visitor: httpx.AsyncClient
) -> None:
    person = await make_user(mailing.db)
    answers = [
        await visitor.post("/reset", data={"email": person.email}, headers=origin(visitor))
        for _ in range(MAILS + 2)
    ]
    assert {answer.status_code for answer in answers} == {200}
    assert len({answer.text for answer in answers}) == 1  # asking again tells nothing more
    assert await _all_arrived(mailing, person.email) == MAILS


async def test_registering_again_and_again_with_an_address_mails_it_at_most_the_limit(
    mailing: MailingServer, visitor: httpx.AsyncClient
) -> None:
    board = await _open_board(mailing.db)
    person = await make_user(mailing.db)
    for _ in range(MAILS + 2):
        registered = await visitor.post(
            f"/register/{board.slug}",
            data={"email": person.email, "name": "Quelqu'un", "password": "une phrase de passe"},
            headers=origin(visitor),
        )
        assert registered.status_code == 200
    assert await _all_arrived(mailing, person.email) == MAILS


async def test_asking_for_ones_own_link_past_the_limit_says_so(
    mailing: MailingServer, visitor: httpx.AsyncClient
) -> None:
    board = await _open_board(mailing.db)
    email = f"{unique('pressé')}@example.org"
    password = "une phrase de passe"
    data = {"email": email, "name": "Alex Pressé", "password": password}
    registered = await visitor.post(f"/register/{board.slug}", data=data, headers=origin(visitor))
    assert registered.status_code == 200  # the first mail: the confirmation link
    signed_in = await visitor.post(
        "/login", data={"email": email, "password": password}, headers=origin(visitor)
    )
    assert signed_in.status_code == 303
    for _ in range(MAILS - 1):
        resent = await visitor.post("/confirm", headers=origin(visitor))
        assert resent.headers["location"] == "/me?resent=1"
    refused = await visitor.post("/confirm", headers=origin(visitor))
    assert refused.status_code == 303 and refused.headers["location"] == "/me?resent=later"
    me = await visitor.get(refused.headers["location"])
    assert "Plusieurs liens ont été envoyés" in me.text
    assert "Plusieurs liens" not in (await visitor.get("/me")).text
    assert await _all_arrived(mailing, email) == MAILS
