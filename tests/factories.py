"""Test data for the real-server tests: each builder in a transaction of its own, committed, so
that the server sees it. The data itself is made by the per-domain builders
(tests/accounts/builders.py, tests/board/builders.py, tests/brigade/builders.py), through the
same services the app uses; this module only opens `Database.write()` around them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from tests.accounts.builders import PASSWORD, new_api_token, new_person
from tests.board.builders import fresh, new_board, new_card, new_column, new_member
from tests.brigade.builders import new_slot
from tests.names import unique
from toolbox.accounts.models import User
from toolbox.board.models import Board, BoardColumn, Card, Role
from toolbox.brigade.models import Slot
from toolbox.db import Database

__all__ = [
    "PASSWORD",
    "bearer",
    "fresh",
    "make_board",
    "make_card",
    "make_column",
    "make_member",
    "make_slot",
    "make_user",
    "members_board_with_a_secret",
    "origin",
    "signed_in",
    "unique",
]


async def make_user(db: Database, *, admin: bool = False, locale: str | None = None) -> User:
    async with db.write() as session:
        return await new_person(session, admin=admin, locale=locale, password=PASSWORD)


async def make_board(
    db: Database, *, public: bool = True, facilitator: User | None = None, **fields: Any
) -> Board:
    async with db.write() as session:
        return await new_board(session, public=public, facilitator=facilitator, **fields)


async def make_member(db: Database, board: Board, role: Role, **kwargs: Any) -> User:
    kwargs.setdefault("password", PASSWORD)
    async with db.write() as session:
        return await new_member(session, board, role, **kwargs)


async def make_column(
    db: Database, board: Board, facilitator: User, title: str = ""
) -> BoardColumn:
    async with db.write() as session:
        return await new_column(session, board, facilitator, title)


async def make_card(
    db: Database, board: Board, column: BoardColumn, facilitator: User, **fields: Any
) -> Card:
    async with db.write() as session:
        return await new_card(session, board, column, facilitator, **fields)


#: The title of the one card of `members_board_with_a_secret`.
SECRET = "Confidentiel : budget 2027"


async def members_board_with_a_secret(db: Database) -> tuple[Board, User]:
    """A members-only board holding one card titled `SECRET`, and a participant member."""
    facilitator = await make_user(db)
    board = await make_board(db, public=False, facilitator=facilitator)
    column = await make_column(db, board, facilitator)
    await make_card(db, board, column, facilitator, title=SECRET)
    return board, await make_member(db, board, Role.participant)


async def make_slot(
    db: Database,
    board: Board,
    facilitator: User,
    *,
    starts_in: timedelta = timedelta(days=2),
    minutes: int = 45,
    capacity: int = 1,
    place: str = "Table 1",
    expert: User | None = None,
) -> Slot:
    """A slot (claimed by `expert` when given), written through the brigade's services."""
    async with db.write() as session:
        return await new_slot(
            session,
            board,
            facilitator,
            starts_in=starts_in,
            minutes=minutes,
            capacity=capacity,
            place=place,
            expert=expert,
        )


async def bearer(db: Database, user: User) -> dict[str, str]:
    async with db.write() as session:
        return {"Authorization": f"Bearer {await new_api_token(session, user)}"}


def origin(client: httpx.AsyncClient) -> dict[str, str]:
    """The header a browser sends with a form from the app's own pages."""
    return {"Origin": str(client.base_url).rstrip("/")}


async def signed_in(client: httpx.AsyncClient, user: User) -> httpx.AsyncClient:
    """Sign `user` in through the real form; the client keeps the session cookie."""
    response = await client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "next": "/"},
        headers=origin(client),
    )
    assert response.status_code == 303, response.text
    return client
