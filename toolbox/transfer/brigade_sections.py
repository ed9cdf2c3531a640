"""The brigade's sections of a backup: expert profiles, slots and bookings.

Bookings carry their need and organisation: a backup is a facilitator's (or an admin's)
complete copy of the board, and it is what restores the brigade as it was. Keep backups as
confidential as the bookings themselves.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from toolbox.accounts.models import User
from toolbox.board.models import Board
from toolbox.brigade.models import (
    NEED_MAX,
    ORGANISATION_MAX,
    PLACE_MAX,
    Booking,
    BookingStatus,
    ExpertProfile,
    Outcome,
    Slot,
)
from toolbox.transfer.board_sections import Email
from toolbox.transfer.sections import Restoring, Row


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


class ProfileRow(Row):
    email: Email
    specialities: list[Annotated[str, Field(max_length=80)]] = Field(default_factory=list)
    languages: list[Annotated[str, Field(max_length=20)]] = Field(default_factory=list)
    bio: Annotated[str, Field(max_length=1000)] = ""


async def export_profiles(session: AsyncSession, board: Board) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(ExpertProfile, User.email)
        .join(User, User.id == ExpertProfile.user_id)
        .where(ExpertProfile.board_id == board.id)
        .order_by(User.email)
    )
    return [
        {"email": email, "specialities": p.specialities, "languages": p.languages, "bio": p.bio}
        for p, email in rows.all()
    ]


async def restore_profiles(session: AsyncSession, state: Restoring, rows: list[ProfileRow]) -> None:
    for row in rows:
        person = state.person(row.email)
        assert person is not None
        session.add(
            ExpertProfile(
                board_id=state.board.id,
                user_id=person.id,
                specialities=row.specialities,
                languages=row.languages,
                bio=row.bio,
            )
        )


class SlotRow(Row):
    id: int
    starts_at: datetime
    ends_at: datetime
    place: Annotated[str, Field(max_length=PLACE_MAX)] = ""
    video_url: Annotated[str, Field(max_length=2000)] | None = None
    capacity: Annotated[int, Field(ge=1, le=100)] = 1
    seats_taken: Annotated[int, Field(ge=0)] = 0
    expert: Email | None = None
    cancelled_at: datetime | None = None
    outcome: Outcome | None = None
    sequence: Annotated[int, Field(ge=0)] = 0


async def export_slots(session: AsyncSession, board: Board) -> list[dict[str, Any]]:
    expert = aliased(User)
    rows = await session.execute(
        select(Slot, expert.email)
        .outerjoin(expert, expert.id == Slot.expert_id)
        .where(Slot.board_id == board.id)
        .order_by(Slot.starts_at, Slot.place, Slot.id)
    )
    return [
        {
            "id": s.id,
            "starts_at": _when(s.starts_at),
            "ends_at": _when(s.ends_at),
            "place": s.place,
            "video_url": s.video_url,
            "capacity": s.capacity,
            "seats_taken": s.seats_taken,
            "expert": email,
            "cancelled_at": _when(s.cancelled_at),
            "outcome": s.outcome.value if s.outcome else None,
            "sequence": s.sequence,
        }
        for s, email in rows.all()
    ]


async def restore_slots(session: AsyncSession, state: Restoring, rows: list[SlotRow]) -> None:
    made = state.found.setdefault("slots", {})
    for row in rows:
        expert = state.person(row.expert)
        slot = Slot(
            board_id=state.board.id,
            **row.model_dump(exclude={"id", "expert"}),
            expert_id=expert.id if expert else None,
        )
        session.add(slot)
        made[row.id] = slot
    await session.flush()


class BookingRow(Row):
    slot_id: int
    participant: Email
    organisation: Annotated[str, Field(min_length=1, max_length=ORGANISATION_MAX)]
    organisation_key: Annotated[str, Field(max_length=ORGANISATION_MAX)]
    need: Annotated[str, Field(max_length=NEED_MAX)]
    status: BookingStatus
    sequence: Annotated[int, Field(ge=0)] = 0
    created_at: datetime
    cancelled_at: datetime | None = None
    reminded_at: datetime | None = None


async def export_bookings(session: AsyncSession, board: Board) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(Booking, User.email)
        .join(User, User.id == Booking.participant_id)
        .where(Booking.board_id == board.id)
        .order_by(Booking.slot_id, Booking.created_at, Booking.id)
    )
    return [
        {
            "slot_id": b.slot_id,
            "participant": email,
            "organisation": b.organisation,
            "organisation_key": b.organisation_key,
            "need": b.need,
            "status": b.status.value,
            "sequence": b.sequence,
            "created_at": _when(b.created_at),
            "cancelled_at": _when(b.cancelled_at),
            "reminded_at": _when(b.reminded_at),
        }
        for b, email in rows.all()
    ]


async def restore_bookings(session: AsyncSession, state: Restoring, rows: list[BookingRow]) -> None:
    slots = state.found.get("slots", {})
    for row in rows:
        slot = state.find(slots, row.slot_id, "slot")
        participant = state.person(row.participant)
        assert participant is not None
        session.add(
            Booking(
                board_id=state.board.id,
                slot_id=slot.id,
                participant_id=participant.id,
                **row.model_dump(exclude={"slot_id", "participant"}),
            )
        )
