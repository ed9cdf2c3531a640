"""The brigade's live rendering: a session's cell (or, for new sessions, the whole schedule) and
the sentence that announces the change. Registered with the live hub by the app (`toolbox.app`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from toolbox.accounts.models import User
from toolbox.board.models import Board
from toolbox.brigade.bookings import bookings_of_slots
from toolbox.brigade.browse import RECENT
from toolbox.brigade.claims import expert_profiles
from toolbox.brigade.layout import Day, schedule_days
from toolbox.brigade.models import Booking, ExpertProfile, Slot
from toolbox.brigade.slots import board_slots, experts_by_id
from toolbox.db import Database, utcnow
from toolbox.events.audience import Audience
from toolbox.events.types import (
    EVENT_TYPES,
    Event,
    Refresh,
    SlotBooked,
    SlotCancelled,
    SlotClaimed,
    SlotCreated,
    SlotEvent,
    SlotReleased,
    SlotUpdated,
)
from toolbox.i18n import format_time
from toolbox.i18n import gettext as _
from toolbox.templating import render_fragment

# The events whose fragments the brigade renders.
EVENTS = tuple(
    kind for kind in EVENT_TYPES.values() if kind.refreshes in (Refresh.SLOT, Refresh.SCHEDULE)
)


@dataclass
class BrigadeState:
    slots: list[Slot]
    experts: dict[int, User]
    bookings: dict[int, list[tuple[Booking, User]]]
    profiles: dict[int, ExpertProfile] = field(default_factory=dict)
    days: list[Day] = field(default_factory=list)
    whole_schedule: bool = False

    @property
    def involved(self) -> set[int]:
        people = {slot.expert_id for slot in self.slots if slot.expert_id}
        people |= {user.id for rows in self.bookings.values() for _booking, user in rows}
        return people


@dataclass
class BrigadeView:
    """One slot event's fragment: the board's update frame with the brigade's part in it."""

    board: Board
    event: SlotEvent
    brigade: BrigadeState | None  # None: the slot is gone; only the sentence and `seq` go out

    @property
    def involved(self) -> set[int]:
        """The session's expert and those who booked it: they see their details."""
        return self.brigade.involved if self.brigade else set()

    def render(self, audience: Audience, seq: int) -> str:
        return render_fragment(
            "live/_update.html",
            access=audience,
            board=self.board,
            columns=[],
            cards={},
            whole_board=False,
            changed_columns=[],
            changed_cards=[],
            brigade=self.brigade,
            announcement=slot_announcement(self.event, self.board),
            seq=seq,
        )


async def load_view(db: Database, board_id: int, event: Event) -> BrigadeView | None:
    assert isinstance(event, SlotEvent), "the brigade renders slot events only"
    async with db.read() as session:
        board = await session.get(Board, board_id)
        if board is None:
            return None
        whole = event.refreshes is Refresh.SCHEDULE
        brigade = await load_brigade_state(session, board, None if whole else event.slot_id)
        return BrigadeView(board, event, brigade)


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
        profiles=await expert_profiles(session, board.id, [s.expert_id or 0 for s in slots]),
        whole_schedule=slot_id is None,
    )
    if slot_id is None:
        state.days = schedule_days(slots, board.timezone)
    return state


def slot_announcement(event: SlotEvent, board: Board) -> str:
    at = format_time(datetime.fromisoformat(event.slot["starts_at"]), board.timezone)
    expert = (event.slot.get("expert") or {}).get("name", "")
    match event:
        case SlotCreated():
            return _("New sessions were added to the schedule")
        case SlotClaimed():
            return _("%(name)s took the session at %(time)s", name=expert, time=at)
        case SlotReleased():
            return _("The session at %(time)s has no expert any more", time=at)
        case SlotBooked():
            return _("A seat was taken in the session at %(time)s", time=at)
        case SlotCancelled():
            return _("The session at %(time)s was cancelled", time=at)
        case SlotUpdated():
            return _("The session at %(time)s changed", time=at)
    return ""
