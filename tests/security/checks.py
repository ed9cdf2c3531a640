"""What the attack tests assert after each attack: the refusal, and a row read again from the
database, unchanged."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from sqlalchemy import func, select

from toolbox.board.models import Board, Membership
from toolbox.db import Database, ModelBase

REFUSED = {401, 403, 404}


async def snapshot(db: Database, model: type[ModelBase], id: int) -> dict[str, Any]:
    """Every column of one row, as the database has it now."""
    async with db.read() as session:
        row = await session.get(model, id, populate_existing=True)
        assert row is not None
        return {c.key: getattr(row, c.key) for c in model.__table__.columns}  # type: ignore[attr-defined]


async def count(db: Database, model: type[ModelBase], **where: Any) -> int:
    async with db.read() as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return int(await session.scalar(query) or 0)


async def role_of(db: Database, board: Board, user_id: int) -> str | None:
    async with db.read() as session:
        role = await session.scalar(
            select(Membership.role).where(
                Membership.board_id == board.id, Membership.user_id == user_id
            )
        )
        return role.value if role else None


async def unchanged(
    db: Database,
    model: type[ModelBase],
    id: int,
    attack: Callable[[], Awaitable[httpx.Response]],
    refused: set[int] = REFUSED,
) -> httpx.Response:
    """Run `attack`; it must be refused and leave the row as it was."""
    before = await snapshot(db, model, id)
    response = await attack()
    assert response.status_code in refused, (response.status_code, response.text[:300])
    assert await snapshot(db, model, id) == before
    return response
