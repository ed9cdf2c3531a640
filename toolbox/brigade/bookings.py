"""Booking a seat, the waitlist, cancelling, and what happened after the session.

No double booking, ever, and it is the database that says so:
- a seat is taken by one conditional UPDATE (`seats_taken < capacity` and the slot claimed,
  open and in the future): of two hundred people pressing "Book" at once, exactly `capacity`
  statements change a row; the others change none and get a clean 409;
- a partial unique index allows one live booking per person and per organisation in a slot, so a
  double click makes one booking;
- an organisation's overlapping sessions are looked for under a lock named for it, so two
  bookings of the same organisation cannot both pass that check.
"""

from __future__ import annotations

import asyncio
import unicodedata
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from weakref import WeakValueDictionary

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from toolbox.accounts.models import User
from toolbox.board.access import BoardAccess, board_access, require_booker
from toolbox.board.models import Role
from toolbox.brigade.models import Booking, BookingStatus, Outcome, Slot
from toolbox.brigade.notify import Notifier
from toolbox.brigade.schemas import BookingIn
from toolbox.brigade.slots import (
    record_slot_event,
    slot_as_committed,
    slot_on_board,
    slot_with_access,
)
from toolbox.db import Database, serialize_on, utcnow
from toolbox.errors import Conflict, Forbidden, NotFound
from toolbox.i18n import gettext as _
from toolbox.mail.messages import MailKind
from toolbox.principal import Actor


def organisation_key(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name.casefold())
    return " ".join("".join(c for c in folded if not unicodedata.combining(c)).split())


class Seats(Protocol):
    """What a booking is judged on: a `Slot` in the transaction, or the slot as last committed
    (`toolbox.brigade.slots.SlotAsCommitted`)."""

    @property
    def capacity(self) -> int: ...

    @property
    def seats_taken(self) -> int: ...

    @property
    def expert_id(self) -> int | None: ...

    @property
    def cancelled_at(self) -> datetime | None: ...

    @property
    def starts_at(self) -> datetime: ...


def _why_not(slot: Seats) -> Conflict:
    """The sentence for a seat that could not be taken, checked in the order a person would."""
    if slot.cancelled_at is not None:
        return Conflict(_("This session is cancelled."), code="slot_cancelled")
    if slot.starts_at <= utcnow():
        return Conflict(_("This session has already started."), code="slot_past")
    if slot.expert_id is None:
        return Conflict(
            _("No expert holds this session yet: it cannot be booked."), code="slot_unclaimed"
        )
    return Conflict(_("This session is full. You can join its waitlist."), code="slot_full")


def _bookable(slot: Seats) -> bool:
    """What the conditional UPDATE in `book_seat` requires, as seen in `slot`."""
    return (
        slot.seats_taken < slot.capacity
        and slot.expert_id is not None
        and slot.cancelled_at is None
        and slot.starts_at > utcnow()
    )


def refuse_unbookable(access: BoardAccess, slot: Seats, data: BookingIn) -> Actor:
    """The participant who may try to book `slot`, or the refusal they would end with anyway.

    Judged on `slot` as last read: when it is already full, cancelled, past or unclaimed, the
    crowd behind the one who took the last seat hears so at once, without queueing for the write
    lock (see `seat_attempt`). It is only a shortcut: for every seat that looks free
    here, the conditional UPDATE in `book_seat` stays the guard.
    """
    return _refuse(access.role, access.user, slot, data)


def _refuse(role: Role | None, user: Actor | None, slot: Seats, data: BookingIn) -> Actor:
    user = require_booker(role, user)
    if not data.waitlist and not _bookable(slot):
        raise _why_not(slot)
    return user


_turns: WeakValueDictionary[int, asyncio.Lock] = WeakValueDictionary()


@asynccontextmanager
async def seat_attempt(
    db: Database, slot_id: int, user: Actor | None, data: BookingIn
) -> AsyncIterator[None]:
    """The way to `book_seat` for a room pressing "Book" at once: refused as early and as
    cheaply as can be, on what was last committed, outside any transaction.

    First all together: once the seats are gone, the crowd hears so at once. Then, for those who
    saw a free seat, one at a time per slot in this process, each reading again what the one
    before committed: without turns, everyone who arrives while the winner is still committing
    queues for the write lock, only to be refused there at the price of a write transaction
    each (on SQLite, nearly all of two hundred). Only a shortcut: across processes, the
    database's guards in `book_seat` are the ones that count.
    """
    await _refuse_as_committed(db, slot_id, user, data)
    lock = _turns.get(slot_id)
    if lock is None:
        lock = _turns[slot_id] = asyncio.Lock()
    async with lock:
        await _refuse_as_committed(db, slot_id, user, data)
        yield


async def _refuse_as_committed(
    db: Database, slot_id: int, user: Actor | None, data: BookingIn
) -> None:
    seen = await slot_as_committed(db, slot_id, user)
    _refuse(seen.role, user, seen, data)


@dataclass(frozen=True)
class Booked:
    """A booking just made, with what its document needs (loaded in its transaction)."""

    booking: Booking
    slot: Slot
    participant: User


async def book(
    db: Database,
    actor: Actor | None,
    slot_id: int,
    data: BookingIn,
    notifier: Notifier | None,
    *,
    board_slug: str | None = None,
) -> Booked:
    """The one way to book a seat (or a waitlist place), for every entry point (the form, the
    API): the crowd's early refusals and turns (`seat_attempt`) around one write transaction
    that checks the caller's access and takes the seat (`book_seat`).

    `board_slug`: the board the caller's address names (the form's `/b/{slug}/...`); a slot on
    another board is then not found. Without it, the slot's own board is the one.
    """
    async with seat_attempt(db, slot_id, actor, data), db.write() as session:
        if board_slug is None:
            access, _slot = await slot_with_access(session, slot_id, actor)
        else:
            access = await board_access(session, board_slug, actor)
        booking = await book_seat(session, access, slot_id, data, notifier)
        slot = await session.get(Slot, booking.slot_id)
        participant = await session.get(User, booking.participant_id)
        assert slot is not None and participant is not None  # foreign keys
    return Booked(booking, slot, participant)


async def book_seat(
    session: AsyncSession,
    access: BoardAccess,
    slot_id: int,
    data: BookingIn,
    notifier: Notifier | None,
) -> Booking:
    """A seat for the caller (or a place on the waitlist, when asked and the slot is full)."""
    slot = await slot_on_board(session, access, slot_id)
    participant = refuse_unbookable(access, slot, data)
    key = organisation_key(data.organisation)
    await serialize_on(session, f"organisation:{access.board.id}:{key}")
    busy = await session.scalar(
        select(Booking.id)
        .join(Slot, Slot.id == Booking.slot_id)
        .where(
            Booking.board_id == access.board.id,
            Booking.organisation_key == key,
            Booking.status != BookingStatus.cancelled,
            Slot.cancelled_at.is_(None),
            Slot.starts_at < slot.ends_at,
            Slot.ends_at > slot.starts_at,
        )
    )
    if busy is not None:
        raise Conflict(
            _(
                "%(organisation)s already has a session at this time.",
                organisation=data.organisation.strip(),
            ),
            code="already_booked",
        )
    taken = await session.execute(
        update(Slot)
        .where(
            Slot.id == slot.id,
            Slot.seats_taken < Slot.capacity,
            Slot.expert_id.is_not(None),
            Slot.cancelled_at.is_(None),
            Slot.starts_at > utcnow(),
        )
        .values(seats_taken=Slot.seats_taken + 1, sequence=Slot.sequence + 1)
        .execution_options(synchronize_session=False)
    )
    status = BookingStatus.active
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        await session.refresh(slot)
        refusal = _why_not(slot)
        if refusal.code != "slot_full" or not data.waitlist:
            raise refusal
        status = BookingStatus.waiting
    booking = Booking(
        board_id=access.board.id,
        slot_id=slot.id,
        participant_id=participant.id,
        organisation=data.organisation.strip(),
        organisation_key=key,
        need=data.need.strip(),
        status=status,
        sequence=0,
    )
    session.add(booking)
    try:
        await session.flush()
    except IntegrityError:  # the partial unique index: this person is already in (double click)
        raise Conflict(
            _("You already have a seat in this session."), code="already_booked"
        ) from None
    await session.refresh(slot)
    if notifier and status == BookingStatus.active:
        await notifier.booking(
            session,
            MailKind.confirmation,
            booking=booking,
            slot=slot,
            board=access.board,
            # The account as stored (its language, its address), not the request's read model.
            recipient=await session.get(User, participant.id),
        )
        if slot.expert_id:
            await notifier.booking(
                session,
                MailKind.expert_booked,
                booking=booking,
                slot=slot,
                board=access.board,
                recipient=await session.get(User, slot.expert_id),
            )
    await record_slot_event(
        session, access, "slot.booked" if status == BookingStatus.active else "slot.updated", slot
    )
    return booking


async def booking_access(
    session: AsyncSession, access: BoardAccess, booking_id: int
) -> tuple[Booking, Slot]:
    """A booking and its slot, for the three who may see it: the participant, the slot's expert,
    the facilitators. To anyone else it does not exist."""
    booking = await session.get(Booking, booking_id, populate_existing=True)
    if booking is None or booking.board_id != access.board.id:
        raise NotFound(_("There is no such booking."))
    slot = await session.get(Slot, booking.slot_id, populate_existing=True)
    assert slot is not None
    user_id = access.user.id if access.user else None
    if not (
        access.is_facilitator
        or (user_id is not None and user_id in {booking.participant_id, slot.expert_id})
    ):
        raise NotFound(_("There is no such booking."))
    return booking, slot


async def cancel_booking(
    session: AsyncSession, access: BoardAccess, booking_id: int, notifier: Notifier | None
) -> Booking:
    """Cancel a seat. Participants may until the board's deadline; the slot's expert and the
    facilitators at any time. A freed seat goes to the first person on the waitlist."""
    booking, slot = await booking_access(session, access, booking_id)
    if booking.status == BookingStatus.cancelled:
        return booking
    is_staff = access.is_facilitator or (
        access.user is not None and access.user.id == slot.expert_id
    )
    deadline = slot.starts_at - timedelta(hours=access.board.cancel_hours)
    if not is_staff and utcnow() > deadline:
        raise Conflict(
            _("It is too late to cancel online: ask the expert or a facilitator."),
            code="too_late",
        )
    was_active = booking.status == BookingStatus.active
    booking.status = BookingStatus.cancelled
    booking.cancelled_at = utcnow()
    booking.sequence += 1
    booking.updated_at = utcnow()
    # Take the slot's row lock first: the seat count and the waitlist change together.
    await session.execute(
        update(Slot)
        .where(Slot.id == slot.id)
        .values(sequence=Slot.sequence + 1)
        .execution_options(synchronize_session=False)
    )
    await session.flush()
    if notifier and was_active:
        await notifier.cancellation(session, booking=booking, slot=slot, board=access.board)
    if was_active:
        promoted = await session.scalar(
            select(Booking)
            .where(Booking.slot_id == slot.id, Booking.status == BookingStatus.waiting)
            .order_by(Booking.created_at, Booking.id)
            .limit(1)
        )
        if promoted is not None:
            promoted.status = BookingStatus.active
            promoted.sequence += 1
            promoted.updated_at = utcnow()
            if notifier:
                await notifier.booking(
                    session,
                    MailKind.promotion,
                    booking=promoted,
                    slot=slot,
                    board=access.board,
                    recipient=await session.get(User, promoted.participant_id),
                )
        else:
            await session.execute(
                update(Slot)
                .where(Slot.id == slot.id)
                .values(seats_taken=Slot.seats_taken - 1)
                .execution_options(synchronize_session=False)
            )
    await session.refresh(slot)
    await record_slot_event(session, access, "slot.updated", slot)
    return booking


async def mark_outcome(
    session: AsyncSession, access: BoardAccess, slot_id: int, outcome: Outcome
) -> Slot:
    slot = await slot_on_board(session, access, slot_id)
    is_expert = access.user is not None and access.user.id == slot.expert_id
    if not (is_expert or access.is_facilitator):
        raise Forbidden(_("Only the session's expert can say how it went."))
    if slot.starts_at > utcnow():
        raise Conflict(_("This session has not started yet."), code="slot_future")
    slot.outcome = outcome
    slot.updated_at = utcnow()
    await record_slot_event(session, access, "slot.updated", slot)
    return slot


async def bookings_of_slots(
    session: AsyncSession, slot_ids: list[int], *, cancelled: bool = False
) -> dict[int, list[tuple[Booking, User]]]:
    """Live bookings (seats, then the waitlist) per slot, with who made them; with
    `cancelled`, the cancelled ones after them (the report keeps what happened)."""
    grouped: dict[int, list[tuple[Booking, User]]] = {}
    if not slot_ids:
        return grouped
    wanted: list[ColumnElement[bool]] = [Booking.slot_id.in_(slot_ids)]
    if not cancelled:
        wanted.append(Booking.status != BookingStatus.cancelled)
    rows = await session.execute(
        select(Booking, User)
        .join(User, User.id == Booking.participant_id)
        .where(*wanted)
        .order_by(
            Booking.status == BookingStatus.cancelled,  # last
            Booking.status,  # "active" before "waiting"
            Booking.created_at,
            Booking.id,
        )
    )
    for booking, user in rows.all():
        grouped.setdefault(booking.slot_id, []).append((booking, user))
    return grouped
