"""Sessions as iCalendar files (RFC 5545), and the private link of each person's calendar feed.

UIDs come from the rows (`booking-12@host`, `slot-34@host`), so every new copy of an event (a
mail telling of a change, the feed fetched again) replaces the one already in the person's
calendar instead of adding a second; SEQUENCE tells the calendar which copy is the newer.

A booking's need never goes into these files: they end up in shared calendars, on phones'
lock screens and in invitations forwarded to colleagues.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vCalAddress, vDuration
from icalendar.enums import PARTSTAT, STATUS
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from toolbox.accounts.models import User
from toolbox.accounts.private_links import private_token, user_for_private_token
from toolbox.board.access import access_to
from toolbox.board.models import Board
from toolbox.brigade.models import Booking, BookingStatus, Slot
from toolbox.errors import Forbidden, NotFound
from toolbox.i18n import gettext as _
from toolbox.principal import Actor, Principal
from toolbox.urls import absolute_url

PRODID = "-//Toolbox//Coffre a outils//FR"
#: How often a calendar app should fetch the feed again (a hint most of them follow).
FEED_REFRESH = timedelta(hours=1)


def host_of(base_url: str) -> str:
    return urlsplit(base_url).hostname or "localhost"


def brigade_url(base_url: str, board: Board) -> str:
    return absolute_url(base_url, "brigade", slug=board.slug)


def _local(moment: datetime, board: Board) -> datetime:
    # In the board's zone with its TZID, not in UTC: the calendar then shows 09:00 on both
    # sides of a daylight-saving change, as the schedule does.
    return moment.astimezone(ZoneInfo(board.timezone))


def _summary(board: Board) -> str:
    return _("Accompaniment session — %(board)s", board=board.title)


def _location(slot: Slot) -> str | None:
    return slot.place or slot.video_url or None


def booking_event(
    booking: Booking,
    slot: Slot,
    board: Board,
    *,
    expert_name: str,
    base_url: str,
    organizer: str | None = None,
    attendee: str | None = None,
) -> Event:
    """A participant's seat as an event (the same event the slot's expert and the facilitators
    download for that booking). `organizer` and `attendee` are e-mail addresses, needed by
    invitations sent by mail (METHOD:REQUEST/CANCEL) and left out of plain downloads."""
    if booking.status == BookingStatus.cancelled or slot.cancelled_at is not None:
        status = STATUS.CANCELLED
    elif booking.status == BookingStatus.waiting:
        status = STATUS.TENTATIVE
    else:
        status = STATUS.CONFIRMED
    lines = [
        _("Expert: %(name)s", name=expert_name) if expert_name else _("Expert: not yet assigned")
    ]
    if slot.video_url and slot.place:  # a video link that is not already the LOCATION
        lines.append(_("Video link: %(url)s", url=slot.video_url))
    lines.append(_("Details and changes: %(url)s", url=brigade_url(base_url, board)))
    event = Event.new(
        uid=f"booking-{booking.id}@{host_of(base_url)}",
        stamp=datetime.now(UTC),
        start=_local(slot.starts_at, board),
        end=_local(slot.ends_at, board),
        summary=_summary(board),
        location=_location(slot),
        description="\n".join(lines),
        url=brigade_url(base_url, board),
        # Both numbers only grow: the booking's for its own changes (cancelled, promoted), the
        # slot's for the session's (moved, released, cancelled), so every update outranks the
        # copy a calendar already holds.
        sequence=booking.sequence + slot.sequence,
        status=status,
    )
    if organizer:
        event.add("organizer", vCalAddress.new(organizer, cn=board.title))
    if attendee:
        event.add("attendee", vCalAddress.new(attendee, partstat=PARTSTAT.ACCEPTED, rsvp=False))
    return event


def slot_event(slot: Slot, board: Board, *, base_url: str) -> Event:
    """A session as its expert sees it in their calendar: when, where, how many seats taken."""
    lines = [
        _(
            "Seats taken: %(taken)s of %(capacity)s",
            taken=slot.seats_taken,
            capacity=slot.capacity,
        )
    ]
    if slot.video_url and slot.place:
        lines.append(_("Video link: %(url)s", url=slot.video_url))
    lines.append(_("Details and changes: %(url)s", url=brigade_url(base_url, board)))
    return Event.new(
        uid=f"slot-{slot.id}@{host_of(base_url)}",
        stamp=datetime.now(UTC),
        start=_local(slot.starts_at, board),
        end=_local(slot.ends_at, board),
        summary=_summary(board),
        location=_location(slot),
        description="\n".join(lines),
        url=brigade_url(base_url, board),
        sequence=slot.sequence,
        status=STATUS.CANCELLED if slot.cancelled_at is not None else STATUS.CONFIRMED,
    )


def calendar_document(
    events: Sequence[Event],
    *,
    method: str | None,
    tz: str | None = None,
    name: str | None = None,
) -> bytes:
    """A VCALENDAR holding `events`, with one VTIMEZONE per zone they use (and `tz`, if given).

    `method` is REQUEST or CANCEL for an invitation sent by mail, None for a download or a feed.
    `name` makes it a subscribable feed (its name in the calendar app, and a refresh hint).
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("name", name)
        calendar.add("x-wr-calname", name)
        calendar.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", vDuration(FEED_REFRESH))
    zones = _zones(events) | ({tz} if tz else set())
    first, last = _years(events)
    # Time zones first: some calendar apps read the file in one pass.
    for zone in sorted(zones):
        calendar.add_component(Timezone.from_tzid(zone, first_date=first, last_date=last))
    for event in events:
        calendar.add_component(event)
    document: bytes = calendar.to_ical()
    return document


def _zones(events: Iterable[Event]) -> set[str]:
    zones: set[str] = set()
    for event in events:
        for key in ("DTSTART", "DTEND"):
            tzid = event[key].params.get("TZID") if key in event else None
            if tzid:
                zones.add(str(tzid))
    return zones


def _years(events: Sequence[Event]) -> tuple[date, date]:
    """The span the VTIMEZONE blocks must cover: whole years around the events.

    Without it, icalendar writes every transition from 1970 to 2038 (3 kB per zone per file).
    """
    years = [
        event.decoded(key).year for event in events for key in ("DTSTART", "DTEND") if key in event
    ] or [datetime.now(UTC).year]
    return date(min(years), 1, 1), date(max(years) + 1, 12, 31)


# The private feed link -----------------------------------------------------------------------


def calendar_token(secret_key: str, user: User | Principal) -> str:
    """The secret part of a person's feed URL (`toolbox.accounts.private_links`)."""
    return private_token(secret_key, user, "calendar")


def calendar_feed_url(base_url: str, secret_key: str, user: User | Principal) -> str:
    return absolute_url(base_url, "calendar_feed", token=calendar_token(secret_key, user))


async def user_for_calendar_token(
    session: AsyncSession, secret_key: str, token: str
) -> User | None:
    return await user_for_private_token(session, secret_key, token, "calendar")


# What each calendar holds ----------------------------------------------------------------------


async def booking_calendar(
    session: AsyncSession, user: Actor, booking_id: int, *, base_url: str
) -> bytes:
    """One booking's .ics, for the participant who made it, the slot's expert and the board's
    facilitators."""
    booking = await session.get(Booking, booking_id)
    if booking is None:
        raise NotFound(_("There is no such booking."))
    slot = await session.get(Slot, booking.slot_id)
    board = await session.get(Board, booking.board_id)
    assert slot is not None and board is not None  # foreign keys
    entitled = user.id in {booking.participant_id, slot.expert_id}
    if not entitled and not (await access_to(session, board, user)).is_facilitator:
        raise Forbidden(
            _("Only the person who booked, the expert and the facilitators can see this booking.")
        )
    expert = await session.get(User, slot.expert_id) if slot.expert_id else None
    event = booking_event(
        booking,
        slot,
        board,
        expert_name=expert.display_name if expert else "",
        base_url=base_url,
    )
    return calendar_document([event], method=None, tz=board.timezone)


async def feed_calendar(session: AsyncSession, user: Actor, *, base_url: str) -> bytes:
    """Everything in one person's calendar, across boards: their seats (cancelled ones kept, as
    CANCELLED, so subscribed calendars strike them out; the waitlist left out) and the sessions
    they hold as an expert."""
    bookings = await session.execute(
        select(Booking, Slot, Board)
        .join(Slot, Slot.id == Booking.slot_id)
        .join(Board, Board.id == Booking.board_id)
        .where(
            Booking.participant_id == user.id,
            Booking.status != BookingStatus.waiting,
        )
        .order_by(Slot.starts_at, Booking.id)
    )
    held = await session.execute(
        select(Slot, Board)
        .join(Board, Board.id == Slot.board_id)
        .where(Slot.expert_id == user.id)
        .order_by(Slot.starts_at, Slot.id)
    )
    rows = list(bookings)
    expert_ids = {slot.expert_id for _booking, slot, _board in rows if slot.expert_id}
    experts = {
        expert.id: expert
        for expert in await session.scalars(select(User).where(User.id.in_(expert_ids)))
    }

    def expert_name(slot: Slot) -> str:
        expert = experts.get(slot.expert_id) if slot.expert_id else None
        return expert.display_name if expert else ""

    events = [
        booking_event(booking, slot, board, expert_name=expert_name(slot), base_url=base_url)
        for booking, slot, board in rows
    ]
    events += [slot_event(slot, board, base_url=base_url) for slot, board in held]
    return calendar_document(events, method=None, name=_("My accompaniment sessions"))
