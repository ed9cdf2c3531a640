"""Building the brigade's schedule (facilitators): one slot, or a whole grid in one go.

Times are typed in the board's time zone and stored in UTC. A grid is laid out in wall-clock
time (9:00, 9:45, …) and each session converted on its own day, so a day after a daylight-saving
change still starts at 9:00 local, one hour off in UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from toolbox.accounts.models import User
from toolbox.board.access import BoardAccess
from toolbox.board.models import Board
from toolbox.brigade.models import Booking, BookingStatus, Slot
from toolbox.brigade.notify import Notifier
from toolbox.brigade.schemas import GridIn, SlotIn, SlotPatch
from toolbox.brigade.slots import record_slot_event, slot_on_board
from toolbox.db import utcnow
from toolbox.errors import Conflict, Invalid
from toolbox.i18n import gettext as _
from toolbox.mail.messages import MailKind

MAX_GRID_SLOTS = 2_000


def in_zone(value: datetime, zone: str) -> datetime:
    """A datetime typed without an offset is read in the board's zone; then UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(zone))
    return value.astimezone(UTC)


def grid_times(grid: GridIn, zone: str) -> list[tuple[datetime, datetime]]:
    """Every session of the grid, as (start, end) in UTC."""
    tz = ZoneInfo(zone)
    length, gap = timedelta(minutes=grid.minutes), timedelta(minutes=grid.gap)
    sessions: list[tuple[datetime, datetime]] = []
    for day in sorted(set(grid.days)):
        start = datetime.combine(day, grid.start)
        day_end = datetime.combine(day, grid.end)
        while start + length <= day_end:  # wall-clock arithmetic, zone applied per session
            sessions.append(
                (
                    start.replace(tzinfo=tz).astimezone(UTC),
                    (start + length).replace(tzinfo=tz).astimezone(UTC),
                )
            )
            start += length + gap
    return sessions


async def create_slot(session: AsyncSession, access: BoardAccess, data: SlotIn) -> Slot:
    access.require_facilitator()
    slot = Slot(
        board_id=access.board.id,
        starts_at=in_zone(data.starts_at, access.board.timezone),
        ends_at=in_zone(data.ends_at, access.board.timezone),
        place=data.place.strip(),
        video_url=data.video_url,
        capacity=data.capacity,
        seats_taken=0,
        sequence=0,
    )
    session.add(slot)
    await record_slot_event(session, access, "slot.created", slot)
    return slot


async def create_grid(session: AsyncSession, access: BoardAccess, grid: GridIn) -> list[Slot]:
    access.require_facilitator()
    times = grid_times(grid, access.board.timezone)
    places = list(dict.fromkeys(p.strip() for p in grid.places if p.strip())) or [""]
    if not times:
        raise Invalid(_("No session fits between the start and the end of the day."), field="end")
    if len(times) * len(places) > MAX_GRID_SLOTS:
        raise Invalid(
            _("This grid would make more than %(count)s sessions.", count=MAX_GRID_SLOTS),
            field="days",
        )
    slots = []
    for starts_at, ends_at in times:
        for place in places:
            slot = Slot(
                board_id=access.board.id,
                starts_at=starts_at,
                ends_at=ends_at,
                place=place,
                video_url=grid.video_url,
                capacity=grid.capacity,
                seats_taken=0,
                sequence=0,
            )
            session.add(slot)
            slots.append(slot)
            await record_slot_event(session, access, "slot.created", slot)
    return slots


async def update_slot(
    session: AsyncSession, access: BoardAccess, slot_id: int, patch: SlotPatch
) -> Slot:
    access.require_facilitator()
    slot = await slot_on_board(session, access, slot_id)
    if slot.cancelled_at is not None:
        raise Conflict(_("This session is cancelled."), code="slot_cancelled")
    fields = patch.model_fields_set
    if "capacity" in fields and patch.capacity is not None:
        if patch.capacity < slot.seats_taken:
            raise Conflict(
                _("More seats are already booked than this capacity."), code="capacity_too_small"
            )
        slot.capacity = patch.capacity
    if "place" in fields and patch.place is not None:
        slot.place = patch.place.strip()
    if "video_url" in fields:
        slot.video_url = patch.video_url
    slot.sequence += 1
    slot.updated_at = utcnow()
    await record_slot_event(session, access, "slot.updated", slot)
    return slot


async def cancel_slot(
    session: AsyncSession, access: BoardAccess, slot_id: int, notifier: Notifier | None
) -> Slot:
    """Cancel a session: its bookings are cancelled too, and their people told."""
    access.require_facilitator()
    slot = await slot_on_board(session, access, slot_id)
    if slot.cancelled_at is not None:
        return slot
    slot.cancelled_at = utcnow()
    slot.sequence += 1
    bookings = list(
        await session.scalars(
            select(Booking).where(
                Booking.slot_id == slot.id, Booking.status != BookingStatus.cancelled
            )
        )
    )
    for booking in bookings:
        was_active = booking.status == BookingStatus.active
        booking.status = BookingStatus.cancelled
        booking.cancelled_at = utcnow()
        booking.sequence += 1
        if notifier and was_active:
            await notifier.booking(
                session,
                MailKind.cancellation,
                booking=booking,
                slot=slot,
                board=access.board,
                recipient=await session.get(User, booking.participant_id),
            )
    slot.seats_taken = 0
    await record_slot_event(session, access, "slot.cancelled", slot)
    return slot


async def set_cancel_hours(session: AsyncSession, access: BoardAccess, hours: int) -> None:
    access.require_facilitator()
    board = await session.get(Board, access.board.id)
    assert board is not None
    board.cancel_hours = hours


def local_day(value: datetime, zone: str) -> date:
    return value.astimezone(ZoneInfo(zone)).date()


def local_time(value: datetime, zone: str) -> time:
    return value.astimezone(ZoneInfo(zone)).time()
