"""Reading slots, and the one way a slot change becomes a board event."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVarTuple

from sqlalchemy import Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from toolbox.accounts.models import User
from toolbox.board.access import BoardAccess, viewing_access
from toolbox.board.models import Board, Membership
from toolbox.brigade.documents import slot_document
from toolbox.brigade.models import Slot
from toolbox.db import Database
from toolbox.errors import NotFound
from toolbox.events.log import record_event
from toolbox.events.types import SlotEventType, slot_event
from toolbox.i18n import gettext as _
from toolbox.lookups import Lookup

Columns = TypeVarTuple("Columns")


def _with_board_and_role(query: Select[*Columns]) -> Select[*Columns]:
    """A slot, its board and the caller's role there (a visitor matches no member): what every
    request about a slot asks first, in one statement."""
    return (
        query.join(Board, Board.id == Slot.board_id)
        .outerjoin(
            Membership,
            (Membership.board_id == Slot.board_id) & (Membership.user_id == bindparam("user_id")),
        )
        .where(Slot.id == bindparam("slot_id"))
    )


# Built once: building a statement costs more than running it.
_SLOT_BOARD_ROLE = _with_board_and_role(select(Slot, Board, Membership.role))
_SLOT_AS_COMMITTED = Lookup([Slot, Board, Membership.role], _with_board_and_role)


async def slot_with_access(
    session: AsyncSession, slot_id: int, user: User | None
) -> tuple[BoardAccess, Slot]:
    """A slot and the access of `user` to its board, checked for reading."""
    row = (
        await session.execute(
            _SLOT_BOARD_ROLE, {"slot_id": slot_id, "user_id": user.id if user else None}
        )
    ).first()
    return _access_and_slot(row, user)


async def slot_as_committed(
    db: Database, slot_id: int, user: User | None
) -> tuple[BoardAccess, Slot]:
    """`slot_with_access` outside any session, on the driver (see `toolbox.lookups`): for a
    decision that needs no lock, such as refusing a seat in a session already full."""
    row = await _SLOT_AS_COMMITTED.first(db, slot_id=slot_id, user_id=user.id if user else None)
    return _access_and_slot(row, user)


def _access_and_slot(row: Any, user: User | None) -> tuple[BoardAccess, Slot]:
    if row is None:
        raise NotFound(_("There is no such session."))
    slot, board, role = row
    return viewing_access(board, user, role), slot


async def slot_on_board(session: AsyncSession, access: BoardAccess, slot_id: int) -> Slot:
    slot = await session.get(Slot, slot_id, populate_existing=True)
    if slot is None or slot.board_id != access.board.id:
        raise NotFound(_("There is no such session."))
    return slot


async def board_slots(
    session: AsyncSession,
    board_id: int,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    include_cancelled: bool = False,
) -> list[Slot]:
    query = select(Slot).where(Slot.board_id == board_id)
    if since is not None:
        query = query.where(Slot.ends_at > since)
    if until is not None:
        query = query.where(Slot.starts_at < until)
    if not include_cancelled:
        query = query.where(Slot.cancelled_at.is_(None))
    return list(await session.scalars(query.order_by(Slot.starts_at, Slot.place, Slot.id)))


async def experts_by_id(session: AsyncSession, slots: list[Slot]) -> dict[int, User]:
    ids = {slot.expert_id for slot in slots if slot.expert_id}
    if not ids:
        return {}
    return {user.id: user for user in await session.scalars(select(User).where(User.id.in_(ids)))}


async def record_slot_event(
    session: AsyncSession, access: BoardAccess, type: SlotEventType, slot: Slot
) -> None:
    """The event says what anyone on the board may know: never who booked, or why."""
    await session.flush()
    expert = await session.get(User, slot.expert_id) if slot.expert_id else None
    await record_event(
        session,
        access.board.id,
        slot_event(type, slot_document(slot, expert), access.actor_name),
        actor_id=access.actor_id,
    )
