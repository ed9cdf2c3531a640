"""The schedule as a participant browses it: filtered by speciality and day, or down to the
sessions they can still book; each session's state in one word (and one shape on screen).

Per person: "which I can still book" leaves out the sessions this person has booked, so the
brigade page is rendered for each reader, never kept for an audience.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from toolbox.board.access import BoardAccess
from toolbox.brigade.bookings import bookings_of_slots
from toolbox.brigade.claims import board_experts
from toolbox.brigade.layout import schedule_days
from toolbox.brigade.models import ExpertProfile, Outcome, Slot
from toolbox.brigade.slots import board_slots, experts_by_id
from toolbox.db import utcnow

RECENT = timedelta(days=2)  # sessions this recent stay on the schedule (to mark them held)

#: Every state a session's cell can be in, in the legend's order.
STATES = ("bookable", "full", "open", "held", "missed", "past", "cancelled")


def slot_state(slot: Slot, now: datetime | None = None) -> str:
    """One of STATES: what a person can do with the session now, or what became of it."""
    if slot.cancelled_at is not None:
        return "cancelled"
    if slot.outcome is Outcome.held:
        return "held"
    if slot.outcome is Outcome.missed:
        return "missed"
    if slot.starts_at <= (now or utcnow()):
        return "past"
    if slot.expert_id is None:
        return "open"
    if slot.seats_taken >= slot.capacity:
        return "full"
    return "bookable"


@dataclass(frozen=True, slots=True)
class ScheduleFilters:
    speciality: str = ""
    day: date | None = None
    bookable: bool = False  # only the sessions I can still book

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> ScheduleFilters:
        """From a query string (`speciality`, `day`, `bookable`); a day that is no date is none."""
        try:
            day = date.fromisoformat(query.get("day", "")[:10]) if query.get("day") else None
        except ValueError:
            day = None
        return cls(
            speciality=query.get("speciality", "")[:120],
            day=day,
            bookable=query.get("bookable") == "1",
        )

    @property
    def active(self) -> bool:
        return bool(self.speciality or self.day or self.bookable)


async def schedule_context(
    session: AsyncSession, access: BoardAccess, filters: ScheduleFilters | None = None
) -> dict[str, Any]:
    """What the schedule shows this person: the slots the filters keep; details only where
    they are entitled (the templates check); the experts with their profiles."""
    filters = filters or ScheduleFilters()
    zone = ZoneInfo(access.board.timezone)
    slots = await board_slots(session, access.board.id, since=utcnow() - RECENT)
    booked = await bookings_of_slots(session, [slot.id for slot in slots])
    experts = await board_experts(session, access.board.id)
    profiles = {user.id: profile for user, profile in experts if profile is not None}
    all_days = sorted({slot.starts_at.astimezone(zone).date() for slot in slots})
    specialities = sorted(
        {name for profile in profiles.values() for name in profile.specialities},
        key=str.casefold,
    )
    now = utcnow()
    viewer = access.user_id

    def kept(slot: Slot) -> bool:
        if filters.day and slot.starts_at.astimezone(zone).date() != filters.day:
            return False
        if filters.speciality and not _offers(profiles.get(slot.expert_id or 0), filters):
            return False
        if filters.bookable:
            mine = any(user.id == viewer for _booking, user in booked.get(slot.id, []))
            return slot_state(slot, now) == "bookable" and not mine
        return True

    shown = [slot for slot in slots if kept(slot)]
    return {
        "days": schedule_days(shown, access.board.timezone),
        "experts": await experts_by_id(session, slots),
        "profiles": profiles,
        "bookings": booked,
        "brigade_experts": experts,
        "all_days": all_days,
        "specialities": specialities,
        "schedule_filters": filters,
    }


def _offers(profile: ExpertProfile | None, filters: ScheduleFilters) -> bool:
    wanted = filters.speciality.casefold()
    return profile is not None and any(name.casefold() == wanted for name in profile.specialities)
