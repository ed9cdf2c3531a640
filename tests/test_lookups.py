"""Reads on the driver (toolbox.lookups) give what the ORM gives, see every commit at once, and
refuse a revoked credential at the next request; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import bindparam, inspect, select, update
from toolbox.lookups import Lookup

from tests.factories import make_board, make_member, make_slot, make_user
from toolbox.accounts.models import ApiToken, User
from toolbox.accounts.services import (
    create_api_token,
    end_session,
    start_session,
    user_for_api_token,
    user_for_session,
)
from toolbox.board.models import Board, Membership, Role
from toolbox.brigade.models import Slot
from toolbox.brigade.slots import slot_as_committed
from toolbox.db import Database, utcnow
from toolbox.errors import NotFound


def _columns(instance: object) -> dict[str, object]:
    mapper = inspect(type(instance))
    return {attr.key: getattr(instance, attr.key) for attr in mapper.column_attrs}


async def test_rows_are_the_orms_own_values_as_detached_instances(db: Database) -> None:
    facilitator = await make_user(db, locale="en")
    board = await make_board(db, facilitator=facilitator)
    expert = await make_member(db, board, Role.expert)
    slot = await make_slot(db, board, facilitator, expert=expert, capacity=3)

    access, looked_up_slot = await slot_as_committed(db, slot.id, facilitator)
    looked_up_board = access.board
    async with db.read() as session:
        orm_slot = await session.get(Slot, slot.id)
        orm_board = await session.get(Board, board.id)
        assert orm_slot is not None and orm_board is not None
        assert _columns(looked_up_slot) == _columns(orm_slot)
        assert _columns(looked_up_board) == _columns(orm_board)
    assert access.role is Role.facilitator
    # Types as the columns declare them: aware UTC datetimes, the enum, a real boolean.
    assert looked_up_slot.starts_at.utcoffset() == timedelta(0)
    assert looked_up_slot.starts_at == slot.starts_at
    assert inspect(looked_up_slot).detached and inspect(looked_up_board).detached

    visitor = await make_user(db)
    access, _slot = await slot_as_committed(db, slot.id, visitor)
    assert access.role is None  # the outer join found no membership
    with pytest.raises(NotFound):
        await slot_as_committed(db, slot.id + 10_000, visitor)


async def test_a_commit_is_seen_by_the_next_lookup(db: Database) -> None:
    """The SQLite lookups share one connection: it must hold no snapshot between two reads."""
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    expert = await make_member(db, board, Role.expert)
    slot = await make_slot(db, board, facilitator, expert=expert, capacity=2)
    participant = await make_member(db, board, Role.participant)

    _access, before = await slot_as_committed(db, slot.id, participant)
    assert before.seats_taken == 0
    for taken in (1, 2):
        async with db.write() as session:
            await session.execute(update(Slot).where(Slot.id == slot.id).values(seats_taken=taken))
        access, after = await slot_as_committed(db, slot.id, participant)
        assert after.seats_taken == taken
    assert access.role is Role.participant
    with pytest.raises(NotFound):
        await slot_as_committed(db, slot.id + 10_000, participant)


async def test_a_revoked_api_token_or_ended_session_is_refused_at_once(db: Database) -> None:
    person = await make_user(db, admin=True)
    async with db.write() as session:
        token = await create_api_token(session, person)
        cookie = await start_session(session, person)

    found = await user_for_api_token(db, token)
    assert isinstance(found, User) and found.id == person.id and found.is_admin is True
    assert inspect(found).detached
    signed_in = await user_for_session(db, cookie)
    assert signed_in is not None and signed_in.email == person.email

    async with db.write() as session:
        await session.execute(
            update(ApiToken).where(ApiToken.user_id == person.id).values(revoked_at=utcnow())
        )
        await end_session(session, cookie)
    assert await user_for_api_token(db, token) is None
    assert await user_for_session(db, cookie) is None
    assert await user_for_api_token(db, "not-a-token") is None


async def test_a_lookup_is_the_select_it_was_built_from(db: Database) -> None:
    by_email = Lookup(
        [User.id, User.email], lambda query: query.where(User.email == bindparam("e"))
    )
    person = await make_user(db)
    assert await by_email.first(db, e=person.email) == (person.id, person.email)
    assert str(by_email.statement) == str(
        select(User.id, User.email).where(User.email == bindparam("e"))
    )


async def test_a_model_that_an_outer_join_did_not_find_is_none(db: Database) -> None:
    membership_of = Lookup(
        [Board, Membership],
        lambda query: query.outerjoin(
            Membership,
            (Membership.board_id == Board.id) & (Membership.user_id == bindparam("user_id")),
        ).where(Board.id == bindparam("board_id")),
    )
    board = await make_board(db)
    member = await make_member(db, board, Role.expert)
    visitor = await make_user(db)

    found = await membership_of.first(db, board_id=board.id, user_id=member.id)
    assert found is not None
    assert found[0].slug == board.slug
    assert found[1].user_id == member.id and found[1].role is Role.expert
    not_a_member = await membership_of.first(db, board_id=board.id, user_id=visitor.id)
    assert not_a_member is not None
    assert not_a_member[0].id == board.id and not_a_member[1] is None
