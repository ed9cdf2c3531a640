"""The service tests' rolled-back sessions (tests/transactions.py) keep nothing, even when the
code under test commits or rolls back."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tests.accounts.builders import new_person
from tests.board.builders import new_board
from tests.transactions import refused, rolled_back
from toolbox.accounts.models import User
from toolbox.board.models import Board
from toolbox.board.schemas import BoardIn
from toolbox.board.services import create_board
from toolbox.errors import Conflict


async def people_named(engine: AsyncEngine, email: str) -> int:
    async with engine.connect() as connection:
        count = await connection.scalar(
            select(func.count()).select_from(User).where(User.email == email)
        )
    return int(count or 0)


async def test_what_a_test_commits_stays_in_its_transaction_and_is_undone(
    service_engine: AsyncEngine,
) -> None:
    async with rolled_back(service_engine) as session:
        kept = (await new_person(session)).email
        await session.commit()  # the code under test may commit: that only ends a savepoint
        undone = (await new_person(session)).email
        await session.rollback()  # and roll back: the savepoint's work goes, the rest stays
        assert await session.scalar(select(User.id).where(User.email == kept))
        assert await session.scalar(select(User.id).where(User.email == undone)) is None
    assert await people_named(service_engine, kept) == 0


async def test_a_refused_call_undoes_its_own_writes_only(session: AsyncSession) -> None:
    board = await new_board(session)
    duplicate = BoardIn(slug=board.slug, title="Doublon")
    create = create_board(session, None, duplicate, default_timezone="UTC")
    await refused(session, create, Conflict, "slug_taken")
    # The session goes on, with what the test had made before the refusal.
    assert await session.scalar(select(func.count()).where(Board.slug == board.slug)) == 1
