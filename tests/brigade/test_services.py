"""The brigade's services on their own: the schedule, claims, seats, the waitlist, outcomes, and
who may read a booking's need.

Each test runs in a transaction rolled back after it, on SQLite and PostgreSQL
(tests/transactions.py). The races (fifty people for two seats) are the real-server tests'
(tests/brigade/test_bookings.py); here each rule is checked once, with what the database kept.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.accounts.builders import new_person
from tests.board.builders import access_of, events_of, new_board, new_member
from tests.brigade.builders import (
    Brigade,
    booking_form,
    new_booking,
    new_brigade,
    new_slot,
)
from tests.transactions import refused
from toolbox.accounts.models import User
from toolbox.board.models import Board, Role
from toolbox.brigade.bookings import (
    book_seat,
    booking_access,
    cancel_booking,
    mark_outcome,
)
from toolbox.brigade.claims import claim_slot, release_slot
from toolbox.brigade.models import Booking, BookingStatus, Outcome, Slot
from toolbox.brigade.notify import Notifier
from toolbox.brigade.report import report_rows
from toolbox.brigade.schedule import (
    MAX_GRID_SLOTS,
    cancel_slot,
    create_grid,
    create_slot,
    local_time,
    update_slot,
)
from toolbox.brigade.schemas import GridIn, SlotIn, SlotPatch
from toolbox.errors import Conflict, Forbidden, Invalid, NotFound, NotSignedIn
from toolbox.mail.models import OutboxMail

NOTIFIER = Notifier(base_url="https://toolbox.example", default_locale="fr_CA")
NEED = "BESOIN-CONFIDENTIEL-5521 notre conseil hésite"


async def seats_taken(session: AsyncSession, slot_id: int) -> int:
    return int(await session.scalar(select(Slot.seats_taken).where(Slot.id == slot_id)) or 0)


async def statuses(session: AsyncSession, slot_id: int) -> dict[int, BookingStatus]:
    """Each participant's latest booking status in the slot."""
    rows = await session.execute(
        select(Booking.participant_id, Booking.status)
        .where(Booking.slot_id == slot_id)
        .order_by(Booking.id)
    )
    return dict(rows.all())


async def seats_add_up(session: AsyncSession, slot_id: int) -> int:
    """The slot's seat count, checked against its active bookings."""
    active = await session.scalar(
        select(func.count())
        .select_from(Booking)
        .where(Booking.slot_id == slot_id, Booking.status == BookingStatus.active)
    )
    taken = await seats_taken(session, slot_id)
    assert taken == active
    return taken


async def mail_to(session: AsyncSession, user: User) -> list[OutboxMail]:
    rows = await session.scalars(
        select(OutboxMail).where(OutboxMail.to_address == user.email).order_by(OutboxMail.id)
    )
    return list(rows)


async def participants(session: AsyncSession, board: Board, count: int) -> list[User]:
    return [await new_member(session, board, Role.participant) for _ in range(count)]


async def book(
    session: AsyncSession,
    brigade: Brigade,
    participant: User,
    organisation: str = "",
    *,
    waitlist: bool = False,
    slot: Slot | None = None,
) -> Booking:
    return await new_booking(
        session,
        brigade.board,
        slot or brigade.slot,
        participant,
        organisation=organisation,
        need=NEED,
        waitlist=waitlist,
        notifier=NOTIFIER,
    )


# The schedule


async def test_a_slot_typed_without_an_offset_is_in_the_boards_time_zone(
    session: AsyncSession,
) -> None:
    facilitator = await new_person(session)
    toronto = await new_board(session, facilitator=facilitator)
    paris = await new_board(session, facilitator=facilitator, timezone="Europe/Paris")
    nine, ten = datetime(2027, 1, 15, 9, 0), datetime(2027, 1, 15, 10, 0)
    in_toronto = await create_slot(
        session, await access_of(session, toronto, facilitator), SlotIn(starts_at=nine, ends_at=ten)
    )
    in_paris = await create_slot(
        session, await access_of(session, paris, facilitator), SlotIn(starts_at=nine, ends_at=ten)
    )
    with_offset = await create_slot(
        session,
        await access_of(session, paris, facilitator),
        SlotIn(starts_at=nine.replace(tzinfo=UTC), ends_at=ten.replace(tzinfo=UTC)),
    )
    stored = dict(
        (
            await session.execute(
                select(Slot.id, Slot.starts_at).where(
                    Slot.id.in_([in_toronto.id, in_paris.id, with_offset.id])
                )
            )
        ).all()
    )
    assert stored[in_toronto.id] == datetime(2027, 1, 15, 14, 0, tzinfo=UTC)
    assert stored[in_paris.id] == datetime(2027, 1, 15, 8, 0, tzinfo=UTC)
    assert stored[with_offset.id] == datetime(2027, 1, 15, 9, 0, tzinfo=UTC)
    (event,) = [e for e in await events_of(session, toronto) if e.type == "slot.created"]
    assert event.data["slot"]["starts_at"] == "2027-01-15T14:00:00+00:00"


async def test_a_grid_keeps_the_wall_clock_across_a_daylight_saving_change(
    session: AsyncSession,
) -> None:
    facilitator = await new_person(session)
    board = await new_board(session, facilitator=facilitator)  # America/Toronto
    access = await access_of(session, board, facilitator)
    grid = GridIn(
        days=[date(2027, 3, 15), date(2027, 3, 12)],  # summer time begins on the 14th
        start=time(9, 0),
        end=time(12, 0),
        minutes=45,
        gap=15,
        places="Salle A, Salle B, Salle A",  # type: ignore[arg-type]
        capacity=3,
    )
    slots = await create_grid(session, access, grid)
    assert len(slots) == 2 * 3 * 2  # days × sessions that end by noon × places
    assert {slot.place for slot in slots} == {"Salle A", "Salle B"}
    assert {local_time(slot.starts_at, board.timezone) for slot in slots} == {
        time(9, 0),
        time(10, 0),
        time(11, 0),
    }
    first_hours = sorted({(slot.starts_at.date(), slot.starts_at.hour) for slot in slots})
    assert first_hours == [
        (date(2027, 3, 12), 14),  # EST, UTC-5
        (date(2027, 3, 12), 15),
        (date(2027, 3, 12), 16),
        (date(2027, 3, 15), 13),  # EDT, UTC-4
        (date(2027, 3, 15), 14),
        (date(2027, 3, 15), 15),
    ]
    assert all(slot.ends_at - slot.starts_at == timedelta(minutes=45) for slot in slots)
    assert all(slot.capacity == 3 and slot.expert_id is None for slot in slots)
    created = [e for e in await events_of(session, board) if e.type == "slot.created"]
    assert len(created) == 12


@pytest.mark.parametrize(
    ("grid", "field"),
    [
        ({"days": [date(2027, 1, 15)], "start": time(9), "end": time(9, 30), "minutes": 45}, "end"),
        (
            {
                "days": [date(2027, 1, d) for d in range(1, 32)],
                "start": time(0),
                "end": time(23, 55),
                "minutes": 5,
            },
            "days",
        ),
    ],
    ids=["nothing-fits", "too-many"],
)
async def test_a_grid_that_makes_no_session_or_too_many_writes_nothing(
    session: AsyncSession, grid: dict[str, object], field: str
) -> None:
    facilitator = await new_person(session)
    board = await new_board(session, facilitator=facilitator)
    access = await access_of(session, board, facilitator)
    error = await refused(session, create_grid(session, access, GridIn(**grid)), Invalid)  # type: ignore[arg-type]
    assert error.field == field
    if field == "days":
        assert str(MAX_GRID_SLOTS) in error.message.replace("\u202f", "").replace(" ", "")
    assert await session.scalar(select(func.count()).where(Slot.board_id == board.id)) == 0


async def test_only_facilitators_build_the_schedule(session: AsyncSession) -> None:
    brigade = await new_brigade(session)
    nine = datetime(2027, 1, 15, 9, 0)
    data = SlotIn(starts_at=nine, ends_at=nine + timedelta(hours=1))
    for user in (brigade.expert, await new_member(session, brigade.board, Role.participant)):
        access = await access_of(session, brigade.board, user)
        await refused(session, create_slot(session, access, data), Forbidden)
    visitor = await access_of(session, brigade.board, None)
    await refused(session, create_slot(session, visitor, data), NotSignedIn)
    assert await session.scalar(select(func.count()).where(Slot.board_id == brigade.board.id)) == 1


async def test_capacity_cannot_drop_below_the_seats_taken(session: AsyncSession) -> None:
    brigade = await new_brigade(session, capacity=3)
    for person in await participants(session, brigade.board, 2):
        await book(session, brigade, person)
    access = await access_of(session, brigade.board, brigade.facilitator)
    await refused(
        session,
        update_slot(session, access, brigade.slot.id, SlotPatch(capacity=1)),
        Conflict,
        "capacity_too_small",
    )
    await update_slot(session, access, brigade.slot.id, SlotPatch(capacity=2, place=" Salle 4 "))
    row = (
        await session.execute(select(Slot.capacity, Slot.place).where(Slot.id == brigade.slot.id))
    ).one()
    assert tuple(row) == (2, "Salle 4")


# Claims


async def test_an_expert_claims_a_free_slot_and_a_second_expert_is_refused(
    session: AsyncSession,
) -> None:
    facilitator = await new_person(session)
    board = await new_board(session, facilitator=facilitator)
    first, second = [await new_member(session, board, Role.expert) for _ in range(2)]
    slot = await new_slot(session, board, facilitator)
    claimed = await claim_slot(session, await access_of(session, board, first), slot.id)
    assert claimed.expert_id == first.id
    await refused(
        session,
        claim_slot(session, await access_of(session, board, second), slot.id),
        Conflict,
        "slot_taken",
    )
    assert await session.scalar(select(Slot.expert_id).where(Slot.id == slot.id)) == first.id
    event = (await events_of(session, board))[-1]
    assert event.type == "slot.claimed"
    assert event.data["slot"]["expert"] == {"id": first.id, "name": first.display_name}


async def test_an_expert_never_holds_two_sessions_at_once(session: AsyncSession) -> None:
    facilitator = await new_person(session)
    board = await new_board(session, facilitator=facilitator)
    expert = await new_member(session, board, Role.expert)
    access = await access_of(session, board, expert)
    held = await new_slot(session, board, facilitator, minutes=60, expert=expert)
    overlapping = await new_slot(
        session, board, facilitator, starts_in=timedelta(days=2, minutes=30), place="Table 2"
    )
    right_after = await new_slot(
        session, board, facilitator, starts_in=timedelta(days=2, minutes=60), place="Table 3"
    )
    error = await refused(
        session, claim_slot(session, access, overlapping.id), Conflict, "expert_busy"
    )
    assert expert.display_name in error.message
    await claim_slot(session, access, right_after.id)
    holders = dict(
        (
            await session.execute(
                select(Slot.id, Slot.expert_id).where(
                    Slot.id.in_([held.id, overlapping.id, right_after.id])
                )
            )
        ).all()
    )
    assert holders == {held.id: expert.id, overlapping.id: None, right_after.id: expert.id}


async def test_who_may_claim_and_for_whom(session: AsyncSession) -> None:
    facilitator = await new_person(session)
    board = await new_board(session, facilitator=facilitator)
    expert = await new_member(session, board, Role.expert)
    participant = await new_member(session, board, Role.participant)
    slot = await new_slot(session, board, facilitator)
    as_participant = await access_of(session, board, participant)
    await refused(session, claim_slot(session, as_participant, slot.id), Forbidden)
    await refused(session, claim_slot(session, as_participant, slot.id, expert.id), Forbidden)
    as_facilitator = await access_of(session, board, facilitator)
    error = await refused(
        session, claim_slot(session, as_facilitator, slot.id, participant.id), Invalid
    )
    assert error.field == "expert_id"
    assigned = await claim_slot(session, as_facilitator, slot.id, expert.id)
    assert assigned.expert_id == expert.id


async def test_a_cancelled_or_finished_slot_cannot_be_claimed(session: AsyncSession) -> None:
    facilitator = await new_person(session)
    board = await new_board(session, facilitator=facilitator)
    expert = await new_member(session, board, Role.expert)
    access = await access_of(session, board, expert)
    cancelled = await new_slot(session, board, facilitator)
    await cancel_slot(session, await access_of(session, board, facilitator), cancelled.id, None)
    over = await new_slot(session, board, facilitator, starts_in=timedelta(hours=-2))
    await refused(session, claim_slot(session, access, cancelled.id), Conflict, "slot_cancelled")
    await refused(session, claim_slot(session, access, over.id), Conflict, "slot_past")


async def test_releasing_keeps_the_bookings_and_tells_the_participants(
    session: AsyncSession,
) -> None:
    brigade = await new_brigade(session, capacity=2)
    (participant,) = await participants(session, brigade.board, 1)
    booking = await book(session, brigade, participant)
    other_expert = await new_member(session, brigade.board, Role.expert)
    await refused(
        session,
        release_slot(
            session, await access_of(session, brigade.board, other_expert), brigade.slot.id, None
        ),
        Forbidden,
    )
    as_expert = await access_of(session, brigade.board, brigade.expert)
    await release_slot(session, as_expert, brigade.slot.id, NOTIFIER)
    assert await session.scalar(select(Slot.expert_id).where(Slot.id == brigade.slot.id)) is None
    assert (await statuses(session, brigade.slot.id)) == {participant.id: BookingStatus.active}
    assert booking.id and await seats_add_up(session, brigade.slot.id) == 1
    kinds = [mail.subject for mail in await mail_to(session, participant)]
    assert len(kinds) == 2  # the confirmation, then the release
    await refused(
        session, release_slot(session, as_expert, brigade.slot.id, None), Conflict, "slot_unclaimed"
    )
    # A facilitator assigns someone else, and may unassign them too.
    as_facilitator = await access_of(session, brigade.board, brigade.facilitator)
    await claim_slot(session, as_facilitator, brigade.slot.id, other_expert.id)
    await release_slot(session, as_facilitator, brigade.slot.id, None)
    assert await session.scalar(select(Slot.expert_id).where(Slot.id == brigade.slot.id)) is None


# Seats and the waitlist


async def test_seats_go_up_to_the_capacity_and_no_further(session: AsyncSession) -> None:
    brigade = await new_brigade(session, capacity=2)
    first, second, third = await participants(session, brigade.board, 3)
    for person in (first, second):
        booking = await book(session, brigade, person)
        assert booking.status == BookingStatus.active
    error = await refused(session, book(session, brigade, third), Conflict, "slot_full")
    assert error.status == 409
    assert await seats_add_up(session, brigade.slot.id) == 2
    assert set(await statuses(session, brigade.slot.id)) == {first.id, second.id}
    booked = [e for e in await events_of(session, brigade.board) if e.type == "slot.booked"]
    assert [e.data["slot"]["seats_taken"] for e in booked] == [1, 2]
    assert booked[-1].data["slot"]["status"] == "full"


async def test_a_full_slot_takes_a_waitlist_and_a_free_one_gives_a_seat(
    session: AsyncSession,
) -> None:
    brigade = await new_brigade(session, capacity=1)
    first, second = await participants(session, brigade.board, 2)
    seated = await book(session, brigade, first, waitlist=True)  # a seat is free: a seat
    waiting = await book(session, brigade, second, waitlist=True)
    assert (seated.status, waiting.status) == (BookingStatus.active, BookingStatus.waiting)
    assert await seats_add_up(session, brigade.slot.id) == 1
    assert await mail_to(session, second) == []  # the waitlist is not a booking to confirm
    assert (await events_of(session, brigade.board))[-1].type == "slot.updated"


async def test_one_person_one_seat_per_session(session: AsyncSession) -> None:
    brigade = await new_brigade(session, capacity=3)
    (participant,) = await participants(session, brigade.board, 1)
    await book(session, brigade, participant, "Musée A")
    error = await refused(
        session, book(session, brigade, participant, "Musée B"), Conflict, "already_booked"
    )
    assert error.status == 409
    # The seat the refused attempt took was given back with the rest of its transaction.
    assert await seats_add_up(session, brigade.slot.id) == 1


async def test_an_organisation_has_one_session_at_a_time_whatever_its_spelling(
    session: AsyncSession,
) -> None:
    brigade = await new_brigade(session, capacity=2)
    alice, bob = await participants(session, brigade.board, 2)
    await book(session, brigade, alice, "Musée des Beaux-Arts")
    second_expert = await new_member(session, brigade.board, Role.expert)
    same_time = await new_slot(
        session, brigade.board, brigade.facilitator, place="Table 2", expert=second_expert
    )
    error = await refused(
        session,
        book(session, brigade, bob, "  musee des BEAUX-ARTS ", slot=same_time),
        Conflict,
        "already_booked",
    )
    assert "musee des BEAUX-ARTS" in error.message
    later = await new_slot(
        session,
        brigade.board,
        brigade.facilitator,
        starts_in=timedelta(days=3),
        expert=second_expert,
    )
    assert (await book(session, brigade, bob, "Musée des Beaux-Arts", slot=later)).id
    # Another board's brigade is another matter.
    elsewhere = await new_brigade(session)
    (carol,) = await participants(session, elsewhere.board, 1)
    assert (await book(session, elsewhere, carol, "Musée des Beaux-Arts")).id
    assert await seats_add_up(session, same_time.id) == 0


async def test_a_seat_needs_a_claimed_open_future_session(session: AsyncSession) -> None:
    brigade = await new_brigade(session, capacity=2)
    (participant,) = await participants(session, brigade.board, 1)
    unclaimed = await new_slot(session, brigade.board, brigade.facilitator, place="Table 2")
    started = await new_slot(
        session,
        brigade.board,
        brigade.facilitator,
        starts_in=timedelta(minutes=-5),
        place="Table 3",
        expert=await new_member(session, brigade.board, Role.expert),
    )
    cancelled = await new_slot(
        session, brigade.board, brigade.facilitator, starts_in=timedelta(days=4)
    )
    as_facilitator = await access_of(session, brigade.board, brigade.facilitator)
    await cancel_slot(session, as_facilitator, cancelled.id, None)
    for slot, code in ((unclaimed, "slot_unclaimed"), (started, "slot_past")):
        for waitlist in (False, True):  # nor does the waitlist get around it
            await refused(
                session,
                book(session, brigade, participant, slot=slot, waitlist=waitlist),
                Conflict,
                code,
            )
    await refused(
        session, book(session, brigade, participant, slot=cancelled), Conflict, "slot_cancelled"
    )
    count = await session.scalar(
        select(func.count()).where(Booking.participant_id == participant.id)
    )
    assert count == 0


async def test_only_the_boards_participants_book(session: AsyncSession) -> None:
    brigade = await new_brigade(session, capacity=5)
    reader = await new_person(session)
    for user in (brigade.expert, brigade.facilitator, reader, None):
        access = await access_of(session, brigade.board, user)
        await refused(
            session, book_seat(session, access, brigade.slot.id, booking_form(), None), Forbidden
        )
    assert await seats_add_up(session, brigade.slot.id) == 0


async def test_a_booking_tells_the_participant_and_the_expert_but_not_the_need(
    session: AsyncSession,
) -> None:
    brigade = await new_brigade(session)
    (participant,) = await participants(session, brigade.board, 1)
    await book(session, brigade, participant, "ORG-CONFIDENTIELLE-3390")
    (to_participant,) = await mail_to(session, participant)
    (to_expert,) = await mail_to(session, brigade.expert)
    for mail in (to_participant, to_expert):
        for secret in (NEED, "ORG-CONFIDENTIELLE-3390"):
            assert secret not in mail.subject + mail.body
            assert secret.encode() not in (mail.calendar or b"")


# Cancelling, and the waitlist moving up


async def test_a_cancelled_seat_goes_to_the_first_on_the_waitlist(session: AsyncSession) -> None:
    brigade = await new_brigade(session, capacity=1)
    first, second, third = await participants(session, brigade.board, 3)
    seated = await book(session, brigade, first)
    await book(session, brigade, second, waitlist=True)
    await book(session, brigade, third, waitlist=True)
    await cancel_booking(
        session, await access_of(session, brigade.board, first), seated.id, NOTIFIER
    )
    assert await statuses(session, brigade.slot.id) == {
        first.id: BookingStatus.cancelled,
        second.id: BookingStatus.active,
        third.id: BookingStatus.waiting,
    }
    assert await seats_add_up(session, brigade.slot.id) == 1
    assert len(await mail_to(session, second)) == 1  # promoted: told so
    assert await mail_to(session, third) == []
    assert len(await mail_to(session, first)) == 2  # confirmed, then cancelled


async def test_cancelling_frees_a_seat_or_a_waitlist_place(session: AsyncSession) -> None:
    brigade = await new_brigade(session, capacity=1)
    first, second = await participants(session, brigade.board, 2)
    seated = await book(session, brigade, first)
    waiting = await book(session, brigade, second, waitlist=True)
    await cancel_booking(session, await access_of(session, brigade.board, second), waiting.id, None)
    assert await seats_add_up(session, brigade.slot.id) == 1  # a place on the waitlist: no seat
    as_first = await access_of(session, brigade.board, first)
    await cancel_booking(session, as_first, seated.id, None)
    assert await seats_add_up(session, brigade.slot.id) == 0
    seq = (await events_of(session, brigade.board))[-1].seq
    await cancel_booking(session, as_first, seated.id, None)  # twice: nothing more
    assert await events_of(session, brigade.board, seq) == []
    assert await seats_add_up(session, brigade.slot.id) == 0


async def test_late_cancelling_is_for_the_expert_and_the_facilitators(
    session: AsyncSession,
) -> None:
    brigade = await new_brigade(session, capacity=3, starts_in=timedelta(hours=2))
    first, second, third = await participants(session, brigade.board, 3)
    bookings = [await book(session, brigade, person) for person in (first, second, third)]
    error = await refused(
        session,
        cancel_booking(
            session, await access_of(session, brigade.board, first), bookings[0].id, None
        ),
        Conflict,
        "too_late",
    )
    assert error.status == 409
    for staff, booking in ((brigade.expert, bookings[1]), (brigade.facilitator, bookings[2])):
        await cancel_booking(
            session, await access_of(session, brigade.board, staff), booking.id, None
        )
    assert await statuses(session, brigade.slot.id) == {
        first.id: BookingStatus.active,
        second.id: BookingStatus.cancelled,
        third.id: BookingStatus.cancelled,
    }
    assert await seats_add_up(session, brigade.slot.id) == 1


async def test_cancelling_a_session_cancels_its_bookings(session: AsyncSession) -> None:
    brigade = await new_brigade(session, capacity=1)
    first, second = await participants(session, brigade.board, 2)
    await book(session, brigade, first)
    await book(session, brigade, second, waitlist=True)
    access = await access_of(session, brigade.board, brigade.facilitator)
    await cancel_slot(session, access, brigade.slot.id, NOTIFIER)
    assert set((await statuses(session, brigade.slot.id)).values()) == {BookingStatus.cancelled}
    assert await seats_add_up(session, brigade.slot.id) == 0
    assert len(await mail_to(session, first)) == 2  # confirmed, then the session is cancelled
    assert await mail_to(session, second) == []
    assert (await events_of(session, brigade.board))[-1].type == "slot.cancelled"


# What happened


async def test_the_expert_says_how_a_session_went_once_it_started(session: AsyncSession) -> None:
    brigade = await new_brigade(session, starts_in=timedelta(minutes=-5))
    future = await new_slot(
        session,
        brigade.board,
        brigade.facilitator,
        starts_in=timedelta(days=3),
        expert=brigade.expert,
    )
    as_expert = await access_of(session, brigade.board, brigade.expert)
    await refused(
        session, mark_outcome(session, as_expert, future.id, Outcome.held), Conflict, "slot_future"
    )
    (participant,) = await participants(session, brigade.board, 1)
    other_expert = await new_member(session, brigade.board, Role.expert)
    for user in (participant, other_expert):
        access = await access_of(session, brigade.board, user)
        await refused(
            session, mark_outcome(session, access, brigade.slot.id, Outcome.held), Forbidden
        )
    await mark_outcome(session, as_expert, brigade.slot.id, Outcome.held)
    as_facilitator = await access_of(session, brigade.board, brigade.facilitator)
    await mark_outcome(session, as_facilitator, brigade.slot.id, Outcome.missed)
    outcome = await session.scalar(select(Slot.outcome).where(Slot.id == brigade.slot.id))
    assert outcome == Outcome.missed


# Who may read a booking's need


async def test_a_booking_exists_for_its_participant_its_expert_and_the_facilitators(
    session: AsyncSession,
) -> None:
    brigade = await new_brigade(session, capacity=2)
    owner, neighbour = await participants(session, brigade.board, 2)
    booking = await book(session, brigade, owner)
    await book(session, brigade, neighbour)
    for user in (owner, brigade.expert, brigade.facilitator):
        seen, slot = await booking_access(
            session, await access_of(session, brigade.board, user), booking.id
        )
        assert seen.need == NEED and slot.id == brigade.slot.id
    other_expert = await new_member(session, brigade.board, Role.expert)
    for user in (neighbour, other_expert, await new_person(session), None):
        access = await access_of(session, brigade.board, user)
        await refused(session, booking_access(session, access, booking.id), NotFound)
        await refused(session, cancel_booking(session, access, booking.id, None), NotFound)
    # Nor may another board's facilitator reach it through their own board.
    elsewhere = await new_brigade(session)
    as_theirs = await access_of(session, elsewhere.board, elsewhere.facilitator)
    await refused(session, booking_access(session, as_theirs, booking.id), NotFound)


async def test_the_need_never_travels_in_an_event(session: AsyncSession) -> None:
    brigade = await new_brigade(session, capacity=1)
    first, second = await participants(session, brigade.board, 2)
    seated = await book(session, brigade, first, "ORG-SECRETE-7710")
    await book(session, brigade, second, "ORG-SECRETE-7711", waitlist=True)
    await cancel_booking(session, await access_of(session, brigade.board, first), seated.id, None)
    recorded = json.dumps([event.data for event in await events_of(session, brigade.board)])
    for secret in (NEED, "ORG-SECRETE-7710", "ORG-SECRETE-7711", first.email, second.email):
        assert secret not in recorded


async def test_the_report_is_for_facilitators_and_shows_needs_only_when_asked(
    session: AsyncSession,
) -> None:
    brigade = await new_brigade(session, capacity=2)
    (participant,) = await participants(session, brigade.board, 1)
    await book(session, brigade, participant, "Théâtre du Nord")
    access = await access_of(session, brigade.board, brigade.facilitator)
    (row,) = await report_rows(session, access, with_needs=False)
    assert (row.organisation, row.participant, row.need) == (
        "Théâtre du Nord",
        participant.display_name,
        "",
    )
    assert row.expert == brigade.expert.display_name and row.status == "claimed"
    (with_needs,) = await report_rows(session, access, with_needs=True)
    assert with_needs.need == NEED
    as_expert = await access_of(session, brigade.board, brigade.expert)
    await refused(session, report_rows(session, as_expert, with_needs=True), Forbidden)


async def test_the_report_keeps_cancelled_bookings_marked_after_the_others(
    session: AsyncSession,
) -> None:
    """What happened stays in the report: a cancelled booking is there, said so, after the
    seats and the waitlist."""
    brigade = await new_brigade(session, capacity=1)
    first, second, third = await participants(session, brigade.board, 3)
    seated = await book(session, brigade, first, "Musée A")
    await book(session, brigade, second, "Festival B", waitlist=True)
    await book(session, brigade, third, "Bibliothèque C", waitlist=True)
    await cancel_booking(session, await access_of(session, brigade.board, first), seated.id, None)
    access = await access_of(session, brigade.board, brigade.facilitator)
    rows = await report_rows(session, access, with_needs=False)
    assert [(row.organisation, row.booking) for row in rows] == [
        ("Festival B", "active"),
        ("Bibliothèque C", "waiting"),
        ("Musée A", "cancelled"),
    ]
