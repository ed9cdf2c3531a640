"""The brigade's mails: what each says, in the recipient's language, with the session attached.

Confidentiality: a booking's need and organisation are in none of them, subject, body or .ics.
Mail crosses other people's servers, sits in shared mailboxes, shows on lock screens and, without
SMTP, is written to the server's log; the mail says what happened and links to the session's
page, where the entitled people read the details once signed in.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from toolbox import i18n
from toolbox.accounts.models import User
from toolbox.board.models import Board
from toolbox.brigade.calendar import booking_event, calendar_document
from toolbox.brigade.models import Booking, BookingStatus, Slot
from toolbox.db import Database
from toolbox.i18n import gettext as _
from toolbox.mail.outbox import enqueue, mail_from
from toolbox.mail.text import environment
from toolbox.urls import absolute_url

REMINDER_AHEAD = timedelta(hours=24)


class MailKind(enum.StrEnum):
    confirmation = "confirmation"  # to the participant: their seat is taken
    cancellation = "cancellation"  # to the participant and to the slot's expert
    release = "release"  # to the participant: the expert let the session go
    promotion = "promotion"  # to the participant: from the waitlist to a seat
    reminder = "reminder"  # to the participant, the day before
    expert_booked = "expert_booked"  # to the expert: someone booked their session


#: The METHOD of the attached invitation: CANCEL takes the event out of the recipient's calendar,
#: REQUEST adds it or updates it (same UID, higher SEQUENCE).
METHODS = {
    MailKind.confirmation: "REQUEST",
    MailKind.cancellation: "CANCEL",
    MailKind.release: "REQUEST",
    MailKind.promotion: "REQUEST",
    MailKind.reminder: "REQUEST",
    MailKind.expert_booked: "REQUEST",
}


def _subject(kind: MailKind, *, when: str, to_expert: bool) -> str:
    if kind == MailKind.confirmation:
        return _("Session booked: %(when)s", when=when)
    if kind == MailKind.cancellation:
        if to_expert:
            return _("Booking cancelled in your session of %(when)s", when=when)
        return _("Session cancelled: %(when)s", when=when)
    if kind == MailKind.release:
        return _("Your session of %(when)s: the expert has withdrawn", when=when)
    if kind == MailKind.promotion:
        return _("A seat freed up: your session of %(when)s is confirmed", when=when)
    if kind == MailKind.reminder:
        return _("Reminder: your session of %(when)s", when=when)
    return _("New booking in your session of %(when)s", when=when)


async def queue_booking_mail(
    session: AsyncSession,
    kind: MailKind,
    *,
    booking: Booking,
    slot: Slot,
    board: Board,
    recipient: User,
    expert_name: str,
    base_url: str,
    default_locale: str,
) -> None:
    """Write one booking mail to `recipient` into the outbox, in their language."""
    kind = MailKind(kind)
    to_expert = slot.expert_id is not None and recipient.id == slot.expert_id
    method = METHODS[kind]
    base_url = base_url.rstrip("/")
    with i18n.use_locale(recipient.locale or default_locale):
        tz = board.timezone
        day = i18n.format_date(slot.starts_at, "full", tz)
        start = i18n.format_time(slot.starts_at, tz)
        when = _("%(day)s at %(time)s", day=day, time=start)
        subject = _subject(kind, when=when, to_expert=to_expert)
        body = environment.get_template(f"mail/{kind.value}.txt").render(
            recipient_name=recipient.display_name,
            board_title=board.title,
            day=day,
            start=start,
            end=i18n.format_time(slot.ends_at, tz),
            place=slot.place,
            video_url=slot.video_url or "",
            expert_name=expert_name,
            to_expert=to_expert,
            session_url=absolute_url(base_url, "slot", slug=board.slug, id=slot.id),
            brigade_url=absolute_url(base_url, "brigade", slug=board.slug),
        )
        event = booking_event(
            booking,
            slot,
            board,
            expert_name=expert_name,
            base_url=base_url,
            organizer=mail_from(base_url),
            attendee=recipient.email,
        )
        if method == "CANCEL":
            # RFC 5546: a CANCEL carries STATUS:CANCELLED, whatever the row says yet.
            event.status = "CANCELLED"
        calendar = calendar_document([event], method=method, tz=tz)
    await enqueue(
        session,
        to=recipient.email,
        subject=subject,
        body=body,
        calendar=calendar,
        method=method,
    )


async def queue_reminders(
    db: Database, *, now: datetime, base_url: str, default_locale: str
) -> int:
    """Queue the reminder of every seat whose session starts within a day; return how many.

    A seat booked less than a day before its session gets none: its confirmation, a moment ago,
    said all a reminder would.

    Several processes may run this at once: each booking is claimed by a conditional UPDATE
    (`reminded_at IS NULL`) before its mail is written, so only one of them reminds it.
    """
    count = 0
    async with db.write() as session:
        due = await session.execute(
            select(Booking, Slot, Board)
            .join(Slot, Slot.id == Booking.slot_id)
            .join(Board, Board.id == Booking.board_id)
            .where(
                Booking.status == BookingStatus.active,
                Booking.reminded_at.is_(None),
                Slot.cancelled_at.is_(None),
                Slot.starts_at > now,
                Slot.starts_at <= now + REMINDER_AHEAD,
            )
            .order_by(Slot.starts_at, Booking.id)
        )
        for booking, slot, board in list(due):
            if booking.created_at > slot.starts_at - REMINDER_AHEAD:
                continue  # booked within the day (in Python: date arithmetic differs by backend)
            claimed = await session.execute(
                update(Booking)
                .where(Booking.id == booking.id, Booking.reminded_at.is_(None))
                .values(reminded_at=now)
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                continue
            participant = await session.get(User, booking.participant_id)
            assert participant is not None  # the foreign key cascades
            expert = await session.get(User, slot.expert_id) if slot.expert_id else None
            await queue_booking_mail(
                session,
                MailKind.reminder,
                booking=booking,
                slot=slot,
                board=board,
                recipient=participant,
                expert_name=expert.display_name if expert else "",
                base_url=base_url,
                default_locale=default_locale,
            )
            count += 1
    return count
