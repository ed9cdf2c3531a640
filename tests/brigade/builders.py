"""Slots and bookings written straight to the database, for tests of what is derived from them
(calendars, mail). Tests of the brigade's rules go through its services instead."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update

from tests.factories import unique
from toolbox.accounts.models import User
from toolbox.board.models import Board
from toolbox.brigade.bookings import organisation_key
from toolbox.brigade.models import Booking, BookingStatus, Slot
from toolbox.db import Database, utcnow

CANARY_NEED = "CANARI-BESOIN-7731 notre conseil d’administration hésite"
CANARY_ORGANISATION = "ORG-CANARI-8842"


async def cal_slot(
    db: Database,
    board: Board,
    *,
    starts_at: datetime | None = None,
    minutes: int = 45,
    capacity: int = 1,
    place: str = "Table 1",
    video_url: str | None = None,
    expert: User | None = None,
) -> Slot:
    starts_at = starts_at or utcnow().replace(microsecond=0) + timedelta(days=3)
    async with db.write() as session:
        slot = Slot(
            board_id=board.id,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=minutes),
            place=place,
            video_url=video_url,
            capacity=capacity,
            seats_taken=0,
            expert_id=expert.id if expert else None,
            sequence=0,
        )
        session.add(slot)
        await session.flush()
        return slot


async def cal_booking(
    db: Database,
    slot: Slot,
    participant: User,
    *,
    status: BookingStatus = BookingStatus.active,
    need: str = CANARY_NEED,
    organisation: str = "",
) -> Booking:
    organisation = organisation or f"{CANARY_ORGANISATION} {unique('org')}"
    async with db.write() as session:
        booking = Booking(
            board_id=slot.board_id,
            slot_id=slot.id,
            participant_id=participant.id,
            organisation=organisation,
            organisation_key=organisation_key(organisation),
            need=need,
            status=status,
            sequence=0,
            cancelled_at=utcnow() if status == BookingStatus.cancelled else None,
        )
        session.add(booking)
        if status == BookingStatus.active:
            await session.execute(
                update(Slot).where(Slot.id == slot.id).values(seats_taken=Slot.seats_taken + 1)
            )
        await session.flush()
        return booking
