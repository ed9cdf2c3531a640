"""Boards, members, columns and cards for tests, made through the board's own services.

Each builder takes a session: a service test's rolled-back one (tests/transactions.py), or one
that `tests.factories` opens with `Database.write()` for the real-server tests. Objects from
another session may be passed in: the board is read again where a service needs its state.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.accounts.builders import new_person
from tests.names import unique
from toolbox.accounts.models import User
from toolbox.board.access import BoardAccess, access_to
from toolbox.board.cards import create_card
from toolbox.board.members import set_membership
from toolbox.board.models import Board, BoardColumn, Card, Registration, Role, Visibility
from toolbox.board.schemas import BoardIn, CardIn, ColumnIn
from toolbox.board.services import create_board, create_column
from toolbox.events.models import BoardEvent

TIMEZONE = "America/Toronto"


async def fresh(session: AsyncSession, board: Board) -> Board:
    """The board as the database has it now (a copy held by the test may be stale)."""
    loaded = await session.get(Board, board.id, populate_existing=True)
    assert loaded is not None
    return loaded


async def access_of(session: AsyncSession, board: Board, user: User | None) -> BoardAccess:
    """What `user` (None: a visitor) may do on `board`, as every service is handed it."""
    return await access_to(session, await fresh(session, board), user)


async def new_board(
    session: AsyncSession,
    *,
    public: bool = True,
    facilitator: User | None = None,
    timezone: str | None = None,
    title: str = "Tableau d’essai",
    registration: Registration = Registration.invitation,
) -> Board:
    """A board made as the command line makes one (no user: it speaks for the admin)."""
    return await create_board(
        session,
        None,
        BoardIn(
            slug=unique("board"),
            title=title,
            visibility=Visibility.public if public else Visibility.members,
            timezone=timezone,
        ),
        default_timezone=TIMEZONE,
        facilitator=facilitator,
        registration=registration,
    )


async def new_member(session: AsyncSession, board: Board, role: Role, **person: Any) -> User:
    """A new person with `role` on `board` (`person`: what `new_person` takes)."""
    user = await new_person(session, **person)
    await set_membership(session, board, user, role)
    return user


async def new_column(
    session: AsyncSession, board: Board, facilitator: User, title: str = "", **fields: Any
) -> BoardColumn:
    access = await access_of(session, board, facilitator)
    data = ColumnIn(title=title or unique("Colonne"), **fields)
    return await create_column(session, access, data)


async def new_card(
    session: AsyncSession, board: Board, column: BoardColumn, facilitator: User, **fields: Any
) -> Card:
    access = await access_of(session, board, facilitator)
    data = CardIn(column_id=column.id, title=fields.pop("title", unique("Ressource")), **fields)
    return await create_card(session, access, data)


async def events_of(session: AsyncSession, board: Board, after: int = 0) -> list[BoardEvent]:
    """What the services recorded on `board` after event number `after`, in order."""
    rows = await session.scalars(
        select(BoardEvent)
        .where(BoardEvent.board_id == board.id, BoardEvent.seq > after)
        .order_by(BoardEvent.seq)
    )
    return list(rows)


async def rows_of(session: AsyncSession, model: type[Any]) -> int:
    """How many rows `model`'s table holds (within the test's transaction)."""
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)
