"""The brigade for tests: slots, claims and bookings made through the brigade's services
(`new_slot`, `new_booking`, `new_brigade`), and, for tests of what is derived from them (calendars,
mail), slots and bookings written straight to the database (`cal_slot`, `cal_booking`): those
may be what no service makes, such as a booking in a session that has already taken place."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.accounts.builders import new_person
from tests.board.builders import access_of, new_board, new_member
from tests.names import unique
from toolbox.accounts.models import User
from toolbox.board.models import Board, Role
from toolbox.brigade.bookings import book_seat, organisation_key
from toolbox.brigade.claims import claim_slot
from toolbox.brigade.models import Booking, BookingStatus, Slot
from toolbox.brigade.notify import Notifier
from toolbox.brigade.schedule import create_slot
from toolbox.brigade.schemas import BookingIn, SlotIn
from toolbox.db import Database, utcnow

CANARY_NEED = "CANARI-BESOIN-7731 notre conseil d’administration hésite"
CANARY_ORGANISATION = "ORG-CANARI-8842"


async def new_slot(
    session: AsyncSession,
    board: Board,
    facilitator: User,
    *,
    starts_in: timedelta = timedelta(days=2),
    minutes: int = 45,
    capacity: int = 1,
    place: str = "Table 1",
    expert: User | None = None,
) -> Slot:
    """A slot made by `facilitator`, claimed for `expert` when one is given."""
    starts = datetime.now(UTC).replace(microsecond=0) + starts_in
    access = await access_of(session, board, facilitator)
    slot = await create_slot(
        session,
        access,
        SlotIn(
            starts_at=starts,
            ends_at=starts + timedelta(minutes=minutes),
            place=place,
            capacity=capacity,
        ),
    )
    if expert is not None:
        await session.flush()
        await claim_slot(session, access, slot.id, expert.id)
    return slot


def booking_form(organisation: str = "", need: str = "", *, waitlist: bool = False) -> BookingIn:
    """What a participant sends to book a seat (a new organisation unless one is named)."""
    return BookingIn(
        organisation=organisation or unique("Musée"),
        need=need or "Nous voulons un plan numérique.",
        waitlist=waitlist,
    )


async def new_booking(
    session: AsyncSession,
    board: Board,
    slot: Slot,
    participant: User,
    *,
    organisation: str = "",
    need: str = "",
    waitlist: bool = False,
    notifier: Notifier | None = None,
) -> Booking:
    """`participant` books a seat in `slot` (or a place on its waitlist) through `book_seat`."""
    access = await access_of(session, board, participant)
    form = booking_form(organisation, need, waitlist=waitlist)
    return await book_seat(session, access, slot.id, form, notifier)


@dataclass(frozen=True)
class Brigade:
    """A board with a facilitator, an expert, and one slot that the expert holds."""

    board: Board
    facilitator: User
    expert: User
    slot: Slot


async def new_brigade(
    session: AsyncSession,
    *,
    capacity: int = 1,
    starts_in: timedelta = timedelta(days=2),
    minutes: int = 45,
) -> Brigade:
    """A brigade ready to book: its one slot starts in `starts_in`, with `capacity` seats."""
    facilitator = await new_person(session)
    board = await new_board(session, facilitator=facilitator)
    expert = await new_member(session, board, Role.expert)
    slot = await new_slot(
        session,
        board,
        facilitator,
        expert=expert,
        capacity=capacity,
        starts_in=starts_in,
        minutes=minutes,
    )
    return Brigade(board=board, facilitator=facilitator, expert=expert, slot=slot)


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
