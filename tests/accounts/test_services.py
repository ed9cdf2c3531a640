"""The accounts' services on their own: people, passwords, sign-in sessions, API tokens, locale.

Each test runs in a transaction rolled back after it, on SQLite and PostgreSQL
(tests/transactions.py).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.accounts.builders import PASSWORD, new_person
from tests.names import unique
from tests.transactions import refused
from toolbox.accounts.models import ApiToken, LoginSession, User
from toolbox.accounts.services import (
    SESSION_LIFETIME,
    authenticate,
    create_api_token,
    create_user,
    end_session,
    set_locale,
    start_session,
    user_by_email,
)
from toolbox.db import utcnow
from toolbox.errors import Conflict, Invalid
from toolbox.security import hash_token


async def count(session: AsyncSession, model: type[User] | type[LoginSession]) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_create_user_keeps_a_normalised_email_and_only_a_password_hash(
    session: AsyncSession,
) -> None:
    email = f"{unique('Marie')}@Example.ORG"
    user = await create_user(
        session, f"  {email} ", name="  Marie Tremblay ", password=PASSWORD, locale="en"
    )
    stored = await session.scalar(select(User).where(User.id == user.id))
    assert stored is not None
    assert stored.email == email.lower()
    assert stored.name == "Marie Tremblay"
    assert stored.locale == "en" and stored.is_admin is False
    assert stored.password_hash and PASSWORD not in stored.password_hash
    assert stored.display_name == "Marie Tremblay"


async def test_a_person_without_a_name_is_shown_by_their_address(session: AsyncSession) -> None:
    user = await create_user(session, "jean.untel@example.org")
    assert user.display_name == "jean.untel"
    assert user.password_hash is None  # an invited person without a password cannot sign in
    assert await authenticate(session, "jean.untel@example.org", "") is None


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"email": "not an address"}, "email"),
        ({"email": "a@b"}, "email"),
        ({"email": f"{'x' * 250}@example.org"}, "email"),
        ({"name": "n" * 121}, "name"),
        ({"password": "short"}, "password"),
        ({"locale": "de"}, "locale"),
    ],
)
async def test_create_user_refuses_bad_fields(
    session: AsyncSession, fields: dict[str, str], field: str
) -> None:
    arguments = {"email": f"{unique('p')}@example.org", **fields}
    email = arguments.pop("email")
    before = await count(session, User)
    error = await refused(session, create_user(session, email, **arguments), Invalid)
    assert error.status == 422 and error.field == field
    assert await count(session, User) == before


async def test_the_same_email_twice_is_a_conflict_whatever_its_case(
    session: AsyncSession,
) -> None:
    first = await new_person(session)
    error = await refused(session, create_user(session, first.email.upper()), Conflict)
    assert error.status == 409 and error.field == "email"
    assert (
        await session.scalar(
            select(func.count()).select_from(User).where(User.email == first.email)
        )
        == 1
    )


async def test_authenticate_needs_the_right_password(session: AsyncSession) -> None:
    user = await new_person(session, password=PASSWORD)
    assert await authenticate(session, user.email, PASSWORD) == user
    assert await authenticate(session, f" {user.email.upper()} ", PASSWORD) == user
    assert await authenticate(session, user.email, PASSWORD + "!") is None
    assert await authenticate(session, f"{unique('nobody')}@example.org", PASSWORD) is None
    assert await user_by_email(session, user.email.upper()) == user


async def test_a_session_keeps_only_the_hash_of_its_token_for_thirty_days(
    session: AsyncSession,
) -> None:
    user = await new_person(session)
    token = await start_session(session, user)
    rows = list(await session.scalars(select(LoginSession).where(LoginSession.user_id == user.id)))
    assert len(rows) == 1
    (row,) = rows
    assert row.token_hash == hash_token(token) != token
    assert row.revoked_at is None
    assert abs(row.expires_at - (utcnow() + SESSION_LIFETIME)) < timedelta(minutes=1)
    second = await start_session(session, user)
    assert second != token  # one per sign-in: signing out on one device leaves the others


async def test_ending_a_session_revokes_it_and_nothing_else(session: AsyncSession) -> None:
    user = await new_person(session)
    ended, kept = await start_session(session, user), await start_session(session, user)
    await end_session(session, ended)
    await end_session(session, "a token nobody was given")
    revoked = {
        row.token_hash: row.revoked_at
        for row in await session.scalars(
            select(LoginSession)
            .where(LoginSession.user_id == user.id)
            .execution_options(populate_existing=True)
        )
    }
    assert revoked[hash_token(ended)] is not None
    assert revoked[hash_token(kept)] is None
    first_revocation = revoked[hash_token(ended)]
    await end_session(session, ended)  # signing out twice changes nothing
    again = await session.scalar(
        select(LoginSession.revoked_at).where(LoginSession.token_hash == hash_token(ended))
    )
    assert again == first_revocation


async def test_an_api_token_is_shown_once_and_kept_as_its_hash(session: AsyncSession) -> None:
    user = await new_person(session)
    token = await create_api_token(session, user, "n" * 200)
    other = await create_api_token(session, user)
    assert token != other
    row = await session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    assert row is not None
    assert row.user_id == user.id and row.revoked_at is None
    assert len(row.name) == 120
    stored = await session.scalar(
        select(func.count()).select_from(ApiToken).where(ApiToken.token_hash == token)
    )
    assert stored == 0


async def test_set_locale_takes_a_known_language_only(session: AsyncSession) -> None:
    user = await new_person(session)
    await set_locale(session, user, "en")
    await session.flush()
    assert await session.scalar(select(User.locale).where(User.id == user.id)) == "en"
    error = await refused(session, set_locale(session, user, "es"), Invalid)
    assert error.field == "locale"
    assert await session.scalar(select(User.locale).where(User.id == user.id)) == "en"
