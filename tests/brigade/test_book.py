"""`bookings.book`, the one door for a booking (the form and the API both go through it): it owns
the crowd's protocol (`seat_attempt` around `Database.write()`), checks the caller's access to
the board the address names, writes the mails through the app's Notifier, and gives back what
the API's document needs. On SQLite and PostgreSQL, with transactions of its own (as in the app).
"""

from __future__ import annotations

import asyncio
import inspect

import pytest
from sqlalchemy import func, select

from tests.brigade.builders import booking_form
from tests.factories import make_board, make_member, make_slot, make_user
from toolbox.accounts.models import User
from toolbox.board.models import Board, Role
from toolbox.brigade import api, views
from toolbox.brigade.bookings import book
from toolbox.brigade.models import Booking, BookingStatus, Slot
from toolbox.brigade.notify import Notifier
from toolbox.db import Database
from toolbox.errors import Conflict, Forbidden, NotFound
from toolbox.mail.models import OutboxMail

NOTIFIER = Notifier(base_url="https://toolbox.example", default_locale="fr_CA")


async def _brigade(db: Database, capacity: int = 1) -> tuple[Board, Slot, User]:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    expert = await make_member(db, board, Role.expert, password=None)
    slot = await make_slot(db, board, facilitator, expert=expert, capacity=capacity)
    return board, slot, expert


async def _mails_to(db: Database, address: str) -> list[OutboxMail]:
    async with db.read() as session:
        return list(
            await session.scalars(select(OutboxMail).where(OutboxMail.to_address == address))
        )


async def test_a_booking_through_the_door(db: Database) -> None:
    board, slot, expert = await _brigade(db)
    participant = await make_member(db, board, Role.participant, password=None, locale="en")

    booked = await book(db, participant, slot.id, booking_form("Musée du Fjord"), NOTIFIER)

    assert booked.booking.status == BookingStatus.active
    assert booked.booking.organisation == "Musée du Fjord"
    assert booked.slot.id == slot.id and booked.slot.seats_taken == 1
    assert booked.participant.id == participant.id and booked.participant.locale == "en"
    # The mails, through the Notifier it was handed: the participant (in their language) and
    # the expert.
    [confirmation] = await _mails_to(db, participant.email)
    assert confirmation.subject.startswith("Session booked")  # in English, as they chose
    assert confirmation.calendar is not None
    assert len(await _mails_to(db, expert.email)) == 1

    # Full now: the next one hears so, and nothing is written.
    other = await make_member(db, board, Role.participant, password=None)
    with pytest.raises(Conflict) as refused:
        await book(db, other, slot.id, booking_form(), NOTIFIER, board_slug=board.slug)
    assert refused.value.code == "slot_full"
    async with db.read() as session:
        count = await session.scalar(
            select(func.count()).select_from(Booking).where(Booking.slot_id == slot.id)
        )
    assert count == 1


async def test_the_door_checks_who_asks_and_which_board(db: Database) -> None:
    board, slot, expert = await _brigade(db, capacity=3)
    other_board, _other_slot, _expert = await _brigade(db)
    with pytest.raises(Forbidden):  # an expert does not book
        await book(db, expert, slot.id, booking_form(), None)
    participant = await make_member(db, board, Role.participant, password=None)
    with pytest.raises(NotFound):  # a slot of another board than the address names
        await book(db, participant, slot.id, booking_form(), None, board_slug=other_board.slug)
    with pytest.raises(NotFound):
        await book(db, participant, slot.id + 10_000, booking_form(), None)
    booked = await book(db, participant, slot.id, booking_form(), None, board_slug=board.slug)
    assert booked.booking.participant_id == participant.id


async def test_a_crowd_through_the_door_gets_exactly_the_seats(db: Database) -> None:
    board, slot, _expert = await _brigade(db, capacity=2)
    crowd = [await make_member(db, board, Role.participant, password=None) for _ in range(12)]

    async def press(person: User) -> str:
        try:
            await book(db, person, slot.id, booking_form(), None)
        except Conflict as refusal:
            return refusal.code
        return "booked"

    outcomes = await asyncio.gather(*(press(person) for person in crowd))
    assert outcomes.count("booked") == 2
    assert set(outcomes) == {"booked", "slot_full"}


def test_neither_entry_point_composes_the_protocol_by_hand() -> None:
    for entry_point in (api, views):
        source = inspect.getsource(entry_point)
        assert "seat_attempt" not in source and "book_seat" not in source
        assert "bookings.book(" in source
    # The API takes the app's Notifier, not one the HTML views make.
    assert "toolbox.brigade.views" not in inspect.getsource(api)
