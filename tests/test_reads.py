"""The two Core reads nearly every request makes, on the one engine (`Database.first_row`): who is
asking (a `Principal`) and the slot as last committed with its board and the caller's role (a
`SlotAsCommitted`). Their values are the stored ones, typed as the columns declare them; every
commit is seen by the next read; a revoked credential is refused at once. SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import dataclasses
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import update

from tests.factories import make_board, make_member, make_slot, make_user
from toolbox.accounts.models import ApiToken, LoginSession, User
from toolbox.accounts.services import (
    Identities,
    create_api_token,
    end_session,
    identify_with,
    principal_for_api_token,
    principal_for_session,
    start_session,
)
from toolbox.board.models import Role, Visibility
from toolbox.brigade.models import Slot
from toolbox.brigade.slots import SlotAsCommitted, slot_as_committed
from toolbox.db import Database, utcnow
from toolbox.errors import Forbidden, NotFound, NotSignedIn
from toolbox.principal import Principal


async def test_who_is_asking_is_the_stored_account_as_a_principal(db: Database) -> None:
    person = await make_user(db, admin=True, locale="en")
    async with db.write() as session:
        token = await create_api_token(session, person)
        cookie = await start_session(session, person)
        stored = await session.get(User, person.id)
        assert stored is not None
        expected = Principal(
            id=stored.id,
            email=stored.email,
            name=stored.name,
            is_admin=True,
            locale="en",
            calendar_salt=stored.calendar_salt,
            email_confirmed=True,
        )

    assert await principal_for_api_token(db, token) == expected
    assert await principal_for_session(db, cookie) == expected
    identify = identify_with(db)
    assert await identify("api_token", token) == expected
    assert await identify("session", cookie) == expected
    # A session cookie is not an API token, nor the other way round.
    assert await identify("api_token", cookie) is None
    assert await identify("session", token) is None
    assert expected.display_name == stored.display_name
    with pytest.raises(dataclasses.FrozenInstanceError):
        expected.is_admin = False  # type: ignore[misc]


async def test_a_revoked_token_an_ended_or_expired_session_is_refused_at_once(
    db: Database,
) -> None:
    person = await make_user(db)
    async with db.write() as session:
        token = await create_api_token(session, person)
        cookie = await start_session(session, person)
        expiring = await start_session(session, person)
    assert await principal_for_session(db, expiring) is not None

    async with db.write() as session:
        await session.execute(
            update(ApiToken).where(ApiToken.user_id == person.id).values(revoked_at=utcnow())
        )
        await end_session(session, cookie)
        await session.execute(
            update(LoginSession)
            .where(LoginSession.user_id == person.id, LoginSession.revoked_at.is_(None))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    assert await principal_for_api_token(db, token) is None
    assert await principal_for_session(db, cookie) is None
    assert await principal_for_session(db, expiring) is None
    assert await principal_for_api_token(db, "not-a-token") is None


async def test_the_slot_as_committed_is_the_stored_slot_with_the_callers_role(
    db: Database,
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    expert = await make_member(db, board, Role.expert)
    slot = await make_slot(db, board, facilitator, expert=expert, capacity=3)

    seen = await slot_as_committed(db, slot.id, facilitator)
    async with db.read() as session:
        stored = await session.get(Slot, slot.id)
        assert stored is not None
    assert seen == SlotAsCommitted(
        slot_id=stored.id,
        board_id=board.id,
        board_visibility=Visibility.public,
        role=Role.facilitator,
        capacity=3,
        seats_taken=0,
        expert_id=expert.id,
        cancelled_at=None,
        starts_at=stored.starts_at,
    )
    # Typed as the columns declare them: an aware UTC datetime, the enums.
    assert seen.starts_at.utcoffset() == timedelta(0)
    assert seen.role is Role.facilitator and seen.board_visibility is Visibility.public

    visitor = await make_user(db)
    assert (await slot_as_committed(db, slot.id, visitor)).role is None
    assert (await slot_as_committed(db, slot.id, None)).role is None
    with pytest.raises(NotFound):
        await slot_as_committed(db, slot.id + 10_000, visitor)


async def test_the_slot_as_committed_is_checked_for_reading(db: Database) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, public=False, facilitator=facilitator)
    participant = await make_member(db, board, Role.participant)
    slot = await make_slot(db, board, facilitator, capacity=1)

    assert (await slot_as_committed(db, slot.id, participant)).role is Role.participant
    with pytest.raises(Forbidden):
        await slot_as_committed(db, slot.id, await make_user(db))
    with pytest.raises(NotSignedIn):
        await slot_as_committed(db, slot.id, None)
    admin = await make_user(db, admin=True)
    assert (await slot_as_committed(db, slot.id, admin)).role is None  # admins may look


async def test_a_commit_is_seen_by_the_next_read(db: Database) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    expert = await make_member(db, board, Role.expert)
    slot = await make_slot(db, board, facilitator, expert=expert, capacity=2)
    participant = await make_member(db, board, Role.participant)

    assert (await slot_as_committed(db, slot.id, participant)).seats_taken == 0
    for taken in (1, 2):
        async with db.write() as session:
            await session.execute(update(Slot).where(Slot.id == slot.id).values(seats_taken=taken))
        assert (await slot_as_committed(db, slot.id, participant)).seats_taken == taken


def test_the_request_layer_does_not_import_accounts() -> None:
    """The middleware and `toolbox.web` know the `Principal`; the app hands them `identify`."""
    probe = (
        "import sys, toolbox.middleware, toolbox.web, toolbox.principal\n"
        "found = sorted(m for m in sys.modules if m.startswith('toolbox.accounts'))\n"
        "print(','.join(found))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == ""


async def test_who_is_asking_is_kept_briefly_and_dropped_where_it_ends(db: Database) -> None:
    """`Identities`: the database is asked once per credential and second; a session ended in
    this process is refused at once, one ended elsewhere within `seconds`."""
    person = await make_user(db)
    async with db.write() as session:
        here = await start_session(session, person)
        elsewhere = await start_session(session, person)
    asked: list[object] = []
    real_first_as = db.first_as

    async def counted(*args: object, **kwargs: object) -> object:
        asked.append(args[1])
        return await real_first_as(*args, **kwargs)  # type: ignore[arg-type]

    identities = Identities(db, seconds=0.2)
    db.first_as = counted  # type: ignore[method-assign]
    try:
        assert (await identities("session", here)) is not None
        assert (await identities("session", here)) is not None
        assert len(asked) == 1
        assert (await identities("session", elsewhere)) is not None
        async with db.write() as session:
            await end_session(session, here)
            await end_session(session, elsewhere)
        # Ended here: this process forgets it at once.
        await identities.forget("session", here)
        assert await identities("session", here) is None
        # Ended by another process: still believed for a moment, then asked again and refused.
        assert (await identities("session", elsewhere)) is not None
        await asyncio.sleep(0.3)
        assert await identities("session", elsewhere) is None
    finally:
        del db.first_as
