"""A person's own brigade life across boards: the seats they booked, the sessions they hold."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from toolbox.board.models import Board
from toolbox.brigade.models import Booking, BookingStatus, Slot
from toolbox.db import utcnow
from toolbox.principal import Actor


async def my_bookings(session: AsyncSession, user: Actor) -> list[tuple[Booking, Slot, Board]]:
    rows = await session.execute(
        select(Booking, Slot, Board)
        .join(Slot, Slot.id == Booking.slot_id)
        .join(Board, Board.id == Booking.board_id)
        .where(
            Booking.participant_id == user.id,
            Booking.status != BookingStatus.cancelled,
            Slot.ends_at > utcnow(),
        )
        .order_by(Slot.starts_at)
    )
    return [(booking, slot, board) for booking, slot, board in rows.all()]


async def my_sessions(session: AsyncSession, user: Actor) -> list[tuple[Slot, Board]]:
    rows = await session.execute(
        select(Slot, Board)
        .join(Board, Board.id == Slot.board_id)
        .where(Slot.expert_id == user.id, Slot.cancelled_at.is_(None), Slot.ends_at > utcnow())
        .order_by(Slot.starts_at)
    )
    return [(slot, board) for slot, board in rows.all()]
