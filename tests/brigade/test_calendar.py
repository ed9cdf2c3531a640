"""Calendars from the real server: one booking's .ics and each person's private feed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from icalendar import Calendar
from sqlalchemy import update

from tests.brigade.builders import CANARY_NEED, CANARY_ORGANISATION, cal_booking, cal_slot
from tests.factories import bearer, make_board, make_member, make_user
from toolbox.accounts.models import User
from toolbox.board.members import set_membership
from toolbox.board.models import Board, Role
from toolbox.brigade.calendar import calendar_token
from toolbox.brigade.models import Booking, BookingStatus, Slot
from toolbox.db import Database, utcnow

SECRET = "test-secret-key"  # the live server's (tests/servers.py)


@dataclass
class Scene:
    board: Board
    facilitator: User
    expert: User
    participant: User
    other_participant: User
    stranger: User
    slot: Slot
    booking: Booking


async def cal_scene(db: Database, **slot_options: Any) -> Scene:
    facilitator = await make_user(db)
    board = await make_board(db, public=False, facilitator=facilitator)
    expert = await make_member(db, board, Role.expert)
    participant = await make_member(db, board, Role.participant)
    other = await make_member(db, board, Role.participant)
    stranger = await make_user(db)
    slot = await cal_slot(db, board, expert=expert, **slot_options)
    booking = await cal_booking(db, slot, participant)
    return Scene(board, facilitator, expert, participant, other, stranger, slot, booking)


def parse(response: httpx.Response) -> Calendar:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert b"CANARI" not in response.content  # neither the need nor the organisation
    return Calendar.from_ical(response.content)


def events_by_uid(calendar: Calendar) -> dict[str, Any]:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


async def test_the_booking_file_for_the_three_entitled(
    db: Database, client: httpx.AsyncClient
) -> None:
    scene = await cal_scene(db)
    host = httpx.URL(str(client.base_url)).host
    for person in (scene.participant, scene.expert, scene.facilitator):
        response = await client.get(
            f"/bookings/{scene.booking.id}.ics", headers=await bearer(db, person)
        )
        calendar = parse(response)
        assert calendar["VERSION"] == "2.0" and calendar.get("PRODID")
        (event,) = calendar.walk("VEVENT")
        assert str(event["UID"]) == f"booking-{scene.booking.id}@{host}"
        assert event.get("DTSTAMP") is not None
        assert event["STATUS"] == "CONFIRMED"
        assert event["LOCATION"] == "Table 1"
        assert scene.expert.display_name in str(event["DESCRIPTION"])
        assert f"/b/{scene.board.slug}/brigade" in str(event["DESCRIPTION"])
        assert event["DTSTART"].params["TZID"] == "America/Toronto"
        assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["America/Toronto"]
        assert event.decoded("DTSTART") == scene.slot.starts_at
        assert CANARY_NEED not in response.text and CANARY_ORGANISATION not in response.text


async def test_nobody_else_gets_the_booking_file(db: Database, client: httpx.AsyncClient) -> None:
    scene = await cal_scene(db)
    url = f"/bookings/{scene.booking.id}.ics"
    for outsider in (scene.other_participant, scene.stranger):
        response = await client.get(url, headers=await bearer(db, outsider))
        assert response.status_code == 403
        assert "CANARI" not in response.text
    anonymous = await client.get(url)
    # Not signed in: a page address, so the app sends the person to the sign-in form.
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/login")
    missing = await client.get("/bookings/999999999.ics", headers=await bearer(db, scene.expert))
    assert missing.status_code == 404
    garbage = await client.get("/bookings/abc.ics", headers=await bearer(db, scene.expert))
    assert garbage.status_code == 404


async def test_uid_stays_sequence_grows_cancelled_is_cancelled(
    db: Database, client: httpx.AsyncClient
) -> None:
    scene = await cal_scene(db)
    headers = await bearer(db, scene.participant)
    url = f"/bookings/{scene.booking.id}.ics"

    async def event() -> Any:
        (only,) = parse(await client.get(url, headers=headers)).walk("VEVENT")
        return only

    first, second = await event(), await event()
    assert first["UID"] == second["UID"]
    assert first["SEQUENCE"] == second["SEQUENCE"]

    async with db.write() as session:
        await session.execute(
            update(Booking)
            .where(Booking.id == scene.booking.id)
            .values(sequence=Booking.sequence + 1)
        )
    bumped = await event()
    assert bumped["UID"] == first["UID"]
    assert bumped["SEQUENCE"] > first["SEQUENCE"]

    async with db.write() as session:
        await session.execute(
            update(Booking)
            .where(Booking.id == scene.booking.id)
            .values(
                status=BookingStatus.cancelled,
                cancelled_at=utcnow(),
                sequence=Booking.sequence + 1,
            )
        )
    cancelled = await event()
    assert cancelled["UID"] == first["UID"]
    assert cancelled["STATUS"] == "CANCELLED"
    assert cancelled["SEQUENCE"] > bumped["SEQUENCE"]


async def test_a_cancelled_slot_cancels_the_booking_event(
    db: Database, client: httpx.AsyncClient
) -> None:
    scene = await cal_scene(db)
    async with db.write() as session:
        await session.execute(
            update(Slot)
            .where(Slot.id == scene.slot.id)
            .values(cancelled_at=utcnow(), sequence=Slot.sequence + 1)
        )
    response = await client.get(
        f"/bookings/{scene.booking.id}.ics", headers=await bearer(db, scene.participant)
    )
    (event,) = parse(response).walk("VEVENT")
    assert event["STATUS"] == "CANCELLED"
    assert event["SEQUENCE"] >= 1


async def test_daylight_saving_change_keeps_nine_o_clock(
    db: Database, client: httpx.AsyncClient
) -> None:
    toronto = ZoneInfo("America/Toronto")
    before = datetime(2026, 3, 7, 9, tzinfo=toronto)  # EST, UTC−5
    after = datetime(2026, 3, 8, 9, tzinfo=toronto)  # EDT from 02:00 that night, UTC−4
    assert before.astimezone(UTC) == datetime(2026, 3, 7, 14, tzinfo=UTC)
    assert after.astimezone(UTC) == datetime(2026, 3, 8, 13, tzinfo=UTC)

    scene = await cal_scene(db, starts_at=datetime(2026, 3, 7, 14, tzinfo=UTC))
    sunday = await cal_slot(
        db, scene.board, starts_at=datetime(2026, 3, 8, 13, tzinfo=UTC), expert=scene.expert
    )
    sunday_booking = await cal_booking(db, sunday, scene.participant)
    headers = await bearer(db, scene.participant)
    for booking, day in ((scene.booking, "20260307"), (sunday_booking, "20260308")):
        response = await client.get(f"/bookings/{booking.id}.ics", headers=headers)
        unfolded = response.text.replace("\r\n ", "")
        assert f"DTSTART;TZID=America/Toronto:{day}T090000" in unfolded
        assert f"DTEND;TZID=America/Toronto:{day}T094500" in unfolded
        (event,) = parse(response).walk("VEVENT")
        start = event.decoded("DTSTART")
        assert (start.hour, start.minute) == (9, 0)
        expected = 14 if day == "20260307" else 13
        assert start.astimezone(UTC) == datetime(2026, 3, int(day[-2:]), expected, tzinfo=UTC)
        # The VTIMEZONE says when the offset changes, so any calendar can place 09:00 right.
        (zone,) = parse(response).walk("VTIMEZONE")
        assert "20260308T030000" in zone.to_ical().decode()


async def test_the_participant_feed(db: Database, client: httpx.AsyncClient) -> None:
    scene = await cal_scene(db)
    cancelled_slot = await cal_slot(db, scene.board, expert=scene.expert, place="Table 2")
    cancelled = await cal_booking(
        db, cancelled_slot, scene.participant, status=BookingStatus.cancelled
    )
    full = await cal_slot(db, scene.board, expert=scene.expert, place="Table 3")
    waiting = await cal_booking(db, full, scene.participant, status=BookingStatus.waiting)
    # A second board in another zone: the feed gathers every board, each in its own zone.
    paris_facilitator = await make_user(db)
    paris = await make_board(db, facilitator=paris_facilitator)
    async with db.write() as session:
        await session.execute(
            update(Board).where(Board.id == paris.id).values(timezone="Europe/Paris")
        )
    paris.timezone = "Europe/Paris"
    paris_expert = await make_member(db, paris, Role.expert)
    async with db.write() as session:
        await set_membership(session, paris, scene.participant, Role.participant)
    paris_slot = await cal_slot(db, paris, expert=paris_expert, place="Salle A")
    paris_booking = await cal_booking(db, paris_slot, scene.participant)

    url = f"/calendar/{calendar_token(SECRET, scene.participant)}.ics"
    first = parse(await client.get(url))  # no sign-in: the link is the credential
    again = parse(await client.get(url))
    host = httpx.URL(str(client.base_url)).host
    events = events_by_uid(first)
    assert set(events) == {
        f"booking-{scene.booking.id}@{host}",
        f"booking-{cancelled.id}@{host}",
        f"booking-{paris_booking.id}@{host}",
    }
    assert set(events_by_uid(again)) == set(events)
    assert f"booking-{waiting.id}@{host}" not in events
    assert events[f"booking-{scene.booking.id}@{host}"]["STATUS"] == "CONFIRMED"
    assert events[f"booking-{cancelled.id}@{host}"]["STATUS"] == "CANCELLED"
    paris_event = events[f"booking-{paris_booking.id}@{host}"]
    assert paris_event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert paris_event.decoded("DTSTART") == paris_slot.starts_at
    zones = sorted(str(tz["TZID"]) for tz in first.walk("VTIMEZONE"))
    assert zones == ["America/Toronto", "Europe/Paris"]
    assert all(event.get("DTSTAMP") is not None for event in events.values())
    assert first.get("METHOD") is None


async def test_the_expert_feed(db: Database, client: httpx.AsyncClient) -> None:
    scene = await cal_scene(db)
    dropped = await cal_slot(db, scene.board, expert=scene.expert, place="Table 2")
    async with db.write() as session:
        await session.execute(
            update(Slot)
            .where(Slot.id == dropped.id)
            .values(cancelled_at=utcnow(), sequence=Slot.sequence + 1)
        )
    url = f"/calendar/{calendar_token(SECRET, scene.expert)}.ics"
    response = await client.get(url)
    host = httpx.URL(str(client.base_url)).host
    events = events_by_uid(parse(response))
    assert set(events) == {f"slot-{scene.slot.id}@{host}", f"slot-{dropped.id}@{host}"}
    held = events[f"slot-{scene.slot.id}@{host}"]
    assert held["STATUS"] == "CONFIRMED"
    assert "1" in str(held["DESCRIPTION"])  # the seat count, and nothing about who
    assert scene.participant.display_name not in response.text
    assert events[f"slot-{dropped.id}@{host}"]["STATUS"] == "CANCELLED"
    assert events[f"slot-{dropped.id}@{host}"]["SEQUENCE"] == 1


async def test_unknown_forged_or_revoked_links_are_not_found(
    db: Database, client: httpx.AsyncClient
) -> None:
    person = await make_user(db)
    token = calendar_token(SECRET, person)
    assert (await client.get(f"/calendar/{token}.ics")).status_code == 200
    user_id, _dash, digest = token.partition("-")
    forged = f"{user_id}-{'0' * len(digest)}"
    someone_else = f"{int(user_id) + 1}-{digest}"
    for bad in (forged, someone_else, "nothing", f"{user_id}-", "999999999-abc"):
        assert (await client.get(f"/calendar/{bad}.ics")).status_code == 404, bad
    async with db.write() as session:
        await session.execute(update(User).where(User.id == person.id).values(calendar_salt="new"))
    assert (await client.get(f"/calendar/{token}.ics")).status_code == 404
    person.calendar_salt = "new"
    assert (await client.get(f"/calendar/{calendar_token(SECRET, person)}.ics")).status_code == 200
