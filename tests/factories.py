"""Small builders for test data, written through the same services the app uses."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from toolbox.accounts.models import User
from toolbox.accounts.services import create_api_token, create_user
from toolbox.board.access import access_to
from toolbox.board.cards import create_card
from toolbox.board.members import set_membership
from toolbox.board.models import Board, BoardColumn, Card, Role, Visibility
from toolbox.board.schemas import BoardIn, CardIn, ColumnIn
from toolbox.board.services import create_board, create_column
from toolbox.brigade.claims import claim_slot
from toolbox.brigade.models import Slot
from toolbox.brigade.schedule import create_slot
from toolbox.brigade.schemas import SlotIn
from toolbox.db import Database

PASSWORD = "correct horse battery"
_numbers = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_numbers)}-{uuid.uuid4().hex[:6]}"


async def fresh(session: AsyncSession, board: Board) -> Board:
    """The board as the database has it now (a copy held by the test may be stale)."""
    loaded = await session.get(Board, board.id, populate_existing=True)
    assert loaded is not None
    return loaded


async def make_user(db: Database, *, admin: bool = False, locale: str | None = None) -> User:
    async with db.write() as session:
        return await create_user(
            session,
            f"{unique('person')}@example.org",
            name=unique("Person"),
            password=PASSWORD,
            is_admin=admin,
            locale=locale,
        )


async def make_board(
    db: Database, *, public: bool = True, facilitator: User | None = None
) -> Board:
    async with db.write() as session:
        return await create_board(
            session,
            None,
            BoardIn(
                slug=unique("board"),
                title="Tableau d’essai",
                visibility=Visibility.public if public else Visibility.members,
            ),
            default_timezone="America/Toronto",
            facilitator=facilitator,
        )


async def make_member(db: Database, board: Board, role: Role, **kwargs: Any) -> User:
    user = await make_user(db, **kwargs)
    async with db.write() as session:
        await set_membership(session, board, user, role)
    return user


async def make_column(
    db: Database, board: Board, facilitator: User, title: str = ""
) -> BoardColumn:
    async with db.write() as session:
        access = await access_to(session, await fresh(session, board), facilitator)
        return await create_column(session, access, ColumnIn(title=title or unique("Colonne")))


async def make_card(
    db: Database, board: Board, column: BoardColumn, facilitator: User, **fields: Any
) -> Card:
    async with db.write() as session:
        access = await access_to(session, await fresh(session, board), facilitator)
        data = CardIn(column_id=column.id, title=fields.pop("title", unique("Ressource")), **fields)
        return await create_card(session, access, data)


async def bearer(db: Database, user: User) -> dict[str, str]:
    async with db.write() as session:
        return {"Authorization": f"Bearer {await create_api_token(session, user)}"}


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
    starts = datetime.now(UTC).replace(microsecond=0) + starts_in
    async with db.write() as session:
        access = await access_to(session, await fresh(session, board), facilitator)
        slot = await create_slot(
            session,
            access,
            SlotIn(
                starts_at=starts,
                ends_at=starts + timedelta(minutes=minutes),
                place=place,
                capacity=capacity,
            ),
        )
        if expert is not None:
            await session.flush()
            await claim_slot(session, access, slot.id, expert.id)
        return slot
