"""What happened: the facilitators' report of sessions and bookings (needs only on request)."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from toolbox.accounts.models import User
from toolbox.board.access import BoardAccess
from toolbox.brigade.bookings import bookings_of_slots
from toolbox.brigade.documents import slot_status
from toolbox.brigade.models import Booking, Slot
from toolbox.brigade.slots import experts_by_id


@dataclass(frozen=True)
class ReportRow:
    date: str
    start: str
    end: str
    place: str
    expert: str
    status: str
    outcome: str
    organisation: str
    participant: str
    #: The booking's state: "active", "waiting" or "cancelled" ("" for a slot nobody booked).
    booking: str
    need: str


async def report_rows(
    session: AsyncSession, access: BoardAccess, *, with_needs: bool
) -> list[ReportRow]:
    access.require_facilitator()
    tz = ZoneInfo(access.board.timezone)
    slots = list(
        await session.scalars(
            select(Slot)
            .where(Slot.board_id == access.board.id)
            .order_by(Slot.starts_at, Slot.place)
        )
    )
    experts: dict[int, User] = await experts_by_id(session, slots)
    booked = await bookings_of_slots(session, [slot.id for slot in slots], cancelled=True)
    rows = []
    for slot in slots:
        start, end = slot.starts_at.astimezone(tz), slot.ends_at.astimezone(tz)
        expert = experts.get(slot.expert_id or 0)
        common = {
            "date": start.date().isoformat(),
            "start": start.strftime("%H:%M"),
            "end": end.strftime("%H:%M"),
            "place": slot.place,
            "expert": expert.display_name if expert else "",
            "status": slot_status(slot),
            "outcome": slot.outcome.value if slot.outcome else "",
        }
        seats: list[tuple[Booking | None, User | None]] = list(booked.get(slot.id, []))
        for booking, participant in seats or [(None, None)]:
            rows.append(
                ReportRow(
                    **common,
                    organisation=booking.organisation if booking else "",
                    participant=participant.display_name if participant else "",
                    booking=booking.status.value if booking else "",
                    need=booking.need if booking and with_needs else "",
                )
            )
    return rows
