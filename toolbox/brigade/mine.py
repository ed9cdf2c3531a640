"""A person's own brigade life across boards: the seats they booked (cancelled ones kept, the
waitlist with its place), the sessions they hold, upcoming and past."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from toolbox.board.models import Board
from toolbox.brigade.models import Booking, BookingStatus, Slot
from toolbox.db import utcnow
from toolbox.principal import Actor


@dataclass(frozen=True, slots=True)
class MyBooking:
    booking: Booking
    slot: Slot
    board: Board
    #: On the waitlist: the place in it, from 1 (the next freed seat goes to 1); else None.
    waitlist_position: int | None
    past: bool


async def my_bookings(session: AsyncSession, user: Actor) -> list[MyBooking]:
    """Every booking of this person, cancelled ones too, in the order of their sessions."""
    ahead = aliased(Booking)
    # How many wait before this booking in the same slot: the same order `cancel_booking`
    # promotes in (created_at, then id).
    position = (
        select(func.count())
        .where(
            ahead.slot_id == Booking.slot_id,
            ahead.status == BookingStatus.waiting,
            or_(
                ahead.created_at < Booking.created_at,
                and_(ahead.created_at == Booking.created_at, ahead.id <= Booking.id),
            ),
        )
        .scalar_subquery()
    )
    rows = await session.execute(
        select(Booking, Slot, Board, position)
        .join(Slot, Slot.id == Booking.slot_id)
        .join(Board, Board.id == Booking.board_id)
        .where(Booking.participant_id == user.id)
        .order_by(Slot.starts_at, Booking.id)
    )
    now = utcnow()
    return [
        MyBooking(
            booking=booking,
            slot=slot,
            board=board,
            waitlist_position=int(place) if booking.status == BookingStatus.waiting else None,
            past=slot.ends_at <= now,
        )
        for booking, slot, board, place in rows.all()
    ]


@dataclass(frozen=True, slots=True)
class MySessions:
    upcoming: list[tuple[Slot, Board]]
    past: list[tuple[Slot, Board]]  # the most recent first


async def my_sessions(session: AsyncSession, user: Actor) -> MySessions:
    """The sessions this person holds as an expert, past ones too (to say how they went)."""
    rows = await session.execute(
        select(Slot, Board)
        .join(Board, Board.id == Slot.board_id)
        .where(Slot.expert_id == user.id, Slot.cancelled_at.is_(None))
        .order_by(Slot.starts_at)
    )
    held = [(slot, board) for slot, board in rows.all()]
    now = utcnow()
    return MySessions(
        upcoming=[(slot, board) for slot, board in held if slot.ends_at > now],
        past=[(slot, board) for slot, board in reversed(held) if slot.ends_at <= now],
    )
