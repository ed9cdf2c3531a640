"""What the brigade page needs to show a slot change live, and the sentence that announces it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from toolbox.accounts.models import User
from toolbox.board.models import Board
from toolbox.brigade.bookings import bookings_of_slots
from toolbox.brigade.layout import Day, schedule_days
from toolbox.brigade.models import Booking, Slot
from toolbox.brigade.slots import board_slots, experts_by_id
from toolbox.db import utcnow
from toolbox.i18n import format_time
from toolbox.i18n import gettext as _

RECENT = timedelta(days=2)


@dataclass
class BrigadeState:
    slots: list[Slot]
    experts: dict[int, User]
    bookings: dict[int, list[tuple[Booking, User]]]
    days: list[Day] = field(default_factory=list)
    whole_schedule: bool = False

    @property
    def involved(self) -> set[int]:
        people = {slot.expert_id for slot in self.slots if slot.expert_id}
        people |= {user.id for rows in self.bookings.values() for _booking, user in rows}
        return people


async def load_brigade_state(
    session: AsyncSession, board: Board, slot_id: int | None
) -> BrigadeState | None:
    """One slot's cell, or (slot_id None: new slots) the whole schedule."""
    if slot_id is None:
        slots = await board_slots(session, board.id, since=utcnow() - RECENT)
    else:
        slot = await session.get(Slot, slot_id)
        if slot is None:
            return None
        slots = [slot]
    state = BrigadeState(
        slots=slots,
        experts=await experts_by_id(session, slots),
        bookings=await bookings_of_slots(session, [slot.id for slot in slots]),
        whole_schedule=slot_id is None,
    )
    if slot_id is None:
        state.days = schedule_days(slots, board.timezone)
    return state


def slot_announcement(event: dict[str, Any], board: Board) -> str:
    slot = event["data"]["slot"]
    at = format_time(datetime.fromisoformat(slot["starts_at"]), board.timezone)
    expert = (slot.get("expert") or {}).get("name", "")
    sentences = {
        "slot.created": _("New sessions were added to the schedule"),
        "slot.claimed": _("%(name)s took the session at %(time)s", name=expert, time=at),
        "slot.released": _("The session at %(time)s has no expert any more", time=at),
        "slot.booked": _("A seat was taken in the session at %(time)s", time=at),
        "slot.cancelled": _("The session at %(time)s was cancelled", time=at),
        "slot.updated": _("The session at %(time)s changed", time=at),
    }
    return sentences.get(event["type"], "")
