"""Reading slots, and the one way a slot change becomes a board event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TypeVarTuple

from sqlalchemy import Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from toolbox.accounts.models import User
from toolbox.board.access import BoardAccess, require_view, viewing_access
from toolbox.board.models import Board, Membership, Role, Visibility
from toolbox.brigade.documents import slot_document
from toolbox.brigade.models import Slot
from toolbox.db import Database
from toolbox.errors import NotFound
from toolbox.events.types import SlotEventType, slot_event
from toolbox.i18n import gettext as _
from toolbox.principal import Actor

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


@dataclass(frozen=True, slots=True)
class SlotAsCommitted:
    """A slot's seats as last committed, with its board and the caller's role there: what a
    booking is judged on before it queues for the write lock (toolbox.brigade.bookings). A read
    model, not a `Slot`: nothing in it can be changed or saved."""

    slot_id: int
    board_id: int
    board_visibility: Visibility
    #: The caller's role on the board (None for a visitor or someone who is not a member).
    role: Role | None
    capacity: int
    seats_taken: int
    expert_id: int | None
    cancelled_at: datetime | None
    starts_at: datetime


# Built once: building a statement costs more than running it.
_SLOT_BOARD_ROLE = _with_board_and_role(select(Slot, Board, Membership.role))
_SLOT_AS_COMMITTED = _with_board_and_role(
    # The columns are named as the fields of `SlotAsCommitted`.
    select(
        Slot.id.label("slot_id"),
        Slot.board_id,
        Board.visibility.label("board_visibility"),
        Membership.role,
        Slot.capacity,
        Slot.seats_taken,
        Slot.expert_id,
        Slot.cancelled_at,
        Slot.starts_at,
    )
)


async def slot_with_access(
    session: AsyncSession, slot_id: int, user: Actor | None
) -> tuple[BoardAccess, Slot]:
    """A slot and the access of `user` to its board, checked for reading."""
    row = (
        await session.execute(
            _SLOT_BOARD_ROLE, {"slot_id": slot_id, "user_id": user.id if user else None}
        )
    ).first()
    if row is None:
        raise NotFound(_("There is no such session."))
    slot, board, role = row
    return viewing_access(board, user, role), slot


async def slot_as_committed(db: Database, slot_id: int, user: Actor | None) -> SlotAsCommitted:
    """The slot's seats with its board and the caller's role, checked for reading as
    `slot_with_access` checks, in one Core read outside any session: for a decision that needs
    no lock, such as refusing a seat in a session already full."""
    seen = await db.first_as(
        SlotAsCommitted,
        _SLOT_AS_COMMITTED,
        {"slot_id": slot_id, "user_id": user.id if user else None},
    )
    if seen is None:
        raise NotFound(_("There is no such session."))
    require_view(seen.board_visibility, user, seen.role)
    return seen


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
    await access.record(session, slot_event(type, slot_document(slot, expert), access.actor_name))
