"""Login throttling (toolbox/accounts/throttle.py): ten wrong passwords per account and per
client address within fifteen minutes, then a 429 with `Retry-After` and a sentence in the
reader's language, even for the right password; the same for an e-mail that has no account, so
that throttling tells nothing of who has one. Over a real server, from distinct loopback
addresses (127.0.0.x) that stand for distinct people."""

from __future__ import annotations

import random

import httpx

from tests.factories import PASSWORD, make_user
from toolbox.accounts import services
from toolbox.accounts.throttle import FAILURES
from toolbox.db import Database


def _from(server_url: str, address: str) -> httpx.AsyncClient:
    transport = httpx.AsyncHTTPTransport(local_address=address)
    return httpx.AsyncClient(
        transport=transport, base_url=server_url, headers={"Origin": server_url}
    )


async def _login(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post("/login", data={"email": email, "password": password, "next": "/"})


def _addresses(block: int) -> tuple[str, str]:
    # Addresses no other test uses (each test its own block): the server, and its counts, last
    # the whole session, on both databases.
    first = random.randrange(20, 240)
    return f"127.{block}.0.{first}", f"127.{block}.1.{first}"


async def test_ten_wrong_passwords_then_429_per_account_and_per_address(
    db: Database, client: httpx.AsyncClient
) -> None:
    target, bystander = await make_user(db), await make_user(db)
    here, there = _addresses(random.randrange(10, 100))
    url = str(client.base_url).rstrip("/")
    async with _from(url, here) as attacker, _from(url, there) as owner:
        for _ in range(FAILURES):
            assert (await _login(attacker, target.email, "pas le bon")).status_code == 422
        refused = await _login(attacker, target.email, PASSWORD)
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) > 0
        assert "Trop de mots de passe erronés" in refused.text
        assert "toolbox_session" not in refused.cookies
        # The account is closed to the right password from anywhere for now...
        assert (await _login(owner, target.email, PASSWORD)).status_code == 429
        # ...while its owner's address may still sign in to another account,
        assert (await _login(owner, bystander.email, PASSWORD)).status_code == 303
        # and the attacker's address may not, whichever account it tries.
        assert (await _login(attacker, bystander.email, PASSWORD)).status_code == 429
        english = await attacker.post(
            "/login",
            data={"email": bystander.email, "password": PASSWORD},
            headers={"Accept-Language": "en"},
        )
        assert english.status_code == 429 and "Too many wrong passwords" in english.text


async def test_an_email_without_an_account_is_throttled_the_same(
    client: httpx.AsyncClient,
) -> None:
    here, _there = _addresses(random.randrange(100, 200))
    url = str(client.base_url).rstrip("/")
    nobody = f"personne-{random.randrange(10**9)}@example.org"
    async with _from(url, here) as guesser:
        answers = [(await _login(guesser, nobody, "peu importe")).status_code for _ in range(11)]
    assert answers == [422] * FAILURES + [429]


async def test_wrong_current_passwords_on_the_account_page_count_as_wrong_logins(
    db: Database, client: httpx.AsyncClient
) -> None:
    """A session left open on a shared computer is no way around the login's throttle: the
    current password asked to change it is counted the same, for the account and the address."""
    person = await make_user(db)
    here, _there = _addresses(random.randrange(200, 250))
    url = str(client.base_url).rstrip("/")
    new = {"password": "un tout nouveau mot de passe"}
    async with _from(url, here) as browser:
        assert (await _login(browser, person.email, PASSWORD)).status_code == 303
        for _ in range(FAILURES):
            wrong = await browser.post("/me/password", data={"current": "pas le bon", **new})
            assert wrong.status_code == 422
        refused = await browser.post("/me/password", data={"current": PASSWORD, **new})
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) > 0
        assert "Trop de mots de passe erronés" in refused.text
        # Counted with the wrong logins: the account is closed to them too, for now.
        assert (await _login(browser, person.email, PASSWORD)).status_code == 429
    async with db.read() as session:
        assert await services.authenticate(session, person.email, PASSWORD) is not None
