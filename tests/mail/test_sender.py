"""The outbox worker against a real SMTP server (aiosmtpd): each booking mail in the recipient's
language with its invitation, nothing lost while the server is down, the log without SMTP."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage

import pytest
from icalendar import Calendar
from sqlalchemy import select, update

from tests.brigade.builders import CANARY_NEED, cal_booking, cal_slot
from tests.factories import make_board, make_member, make_user
from tests.mail.conftest import SmtpServer
from tests.servers import wait_until
from toolbox import i18n
from toolbox.accounts.models import User
from toolbox.board.models import Board, Role
from toolbox.brigade.models import Booking, BookingStatus, Slot
from toolbox.db import Database, utcnow
from toolbox.mail.messages import MailKind, queue_booking_mail, queue_reminders
from toolbox.mail.models import OutboxMail
from toolbox.mail.outbox import enqueue
from toolbox.mail.sender import MailSender, retry_delay
from toolbox.mail.sender import SmtpServer as SmtpAddress
from toolbox.settings import Settings

BASE = "https://toolbox.example.org"
TITLE = "Arts & Culture <Lab>"


def settings(smtp_url: str | None) -> Settings:
    return Settings(smtp_url=smtp_url, base_url=BASE, secret_key="mail-test-secret")


@dataclass
class Scene:
    board: Board
    expert: User
    french: User
    english: User
    slot: Slot
    french_booking: Booking
    english_booking: Booking


async def mail_scene(db: Database) -> Scene:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    async with db.write() as session:
        await session.execute(update(Board).where(Board.id == board.id).values(title=TITLE))
    board.title = TITLE
    expert = await make_member(db, board, Role.expert, locale="en")
    french = await make_member(db, board, Role.participant)  # no choice: the default, fr_CA
    english = await make_member(db, board, Role.participant, locale="en")
    # Three days ahead: out of the reminders' reach, which another test counts.
    slot = await cal_slot(db, board, expert=expert, capacity=2, video_url="https://visio.example/x")
    return Scene(
        board,
        expert,
        french,
        english,
        slot,
        await cal_booking(db, slot, french),
        await cal_booking(db, slot, english),
    )


async def queue(db: Database, scene: Scene, kind: MailKind, booking: Booking, to: User) -> None:
    async with db.write() as session:
        await queue_booking_mail(
            session,
            kind,
            booking=booking,
            slot=scene.slot,
            board=scene.board,
            recipient=to,
            expert_name=scene.expert.display_name,
            base_url=BASE,
            default_locale="fr_CA",
        )


async def rows_to(db: Database, address: str) -> list[OutboxMail]:
    async with db.read() as session:
        return list(
            await session.scalars(
                select(OutboxMail).where(OutboxMail.to_address == address).order_by(OutboxMail.id)
            )
        )


def invitation(message: EmailMessage) -> tuple[EmailMessage, Calendar]:
    (part,) = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert isinstance(part, EmailMessage)
    assert part.get_filename() == "invite.ics"
    content = part.get_content()
    data = content if isinstance(content, bytes) else content.encode()
    return part, Calendar.from_ical(data)


def when(slot: Slot, locale: str) -> str:
    with i18n.use_locale(locale):
        return i18n.format_date(slot.starts_at, "full", "America/Toronto")


async def test_every_kind_in_the_recipients_language(
    mail_db: Database, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TOOLBOX_MAIL_FROM", raising=False)
    scene = await mail_scene(mail_db)
    for kind in MailKind:
        for booking, person in (
            (scene.french_booking, scene.french),
            (scene.english_booking, scene.english),
        ):
            await queue(
                mail_db, scene, kind, booking, scene.expert if kind == "expert_booked" else person
            )
    await queue(mail_db, scene, MailKind.cancellation, scene.french_booking, scene.expert)

    assert await MailSender(mail_db, settings(smtp.url)).send_due() == 13
    messages = smtp.inbox.messages
    assert len(messages) == 13
    french_day, english_day = when(scene.slot, "fr_CA"), when(scene.slot, "en")
    assert french_day != english_day
    subjects: dict[str, set[str]] = {}
    for message in messages:
        to = str(message["To"])
        # Python's folding may start a long subject on its own line; readers trim that space.
        subject = str(message["Subject"]).strip()
        body = message.get_body(("plain",))
        assert body is not None
        text = body.get_content()
        assert str(message["From"]) == "noreply@toolbox.example.org"
        # Written in the recipient's language: the French participant reads French dates.
        day = french_day if to == scene.french.email else english_day
        assert day in subject and day in text, (to, subject)
        subjects.setdefault(to, set()).add(subject)
        # Plain text, not HTML: the board's title as it is.
        assert TITLE in text or to == scene.expert.email
        assert "&amp;" not in text and "&lt;" not in text
        assert f"{BASE}/b/{scene.board.slug}/brigade" in text
        # The need is in no mail: not in a subject, a body or an invitation.
        assert "CANARI" not in message.as_string()
        assert CANARY_NEED not in text
        part, calendar = invitation(message)
        method = str(calendar["METHOD"])
        assert part.get_content_type() == "text/calendar"
        assert part.get_param("method") == method
        (event,) = calendar.walk("VEVENT")
        assert str(event["UID"]) in {
            f"booking-{scene.french_booking.id}@toolbox.example.org",
            f"booking-{scene.english_booking.id}@toolbox.example.org",
        }
        assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["America/Toronto"]
        assert event["ATTENDEE"] == f"mailto:{to}"
        if method == "CANCEL":
            assert event["STATUS"] == "CANCELLED"
        else:
            assert method == "REQUEST"
            assert event["STATUS"] == "CONFIRMED"
    # Five different mails for each participant; the expert's: booked (twice), cancelled.
    assert len(subjects[scene.french.email]) == len(subjects[scene.english.email]) == 5
    assert len(subjects[scene.expert.email]) == 2
    for to in (scene.french.email, scene.english.email):
        assert all(row.sent_at is not None for row in await rows_to(mail_db, to))


async def test_the_sender_address_can_be_set(
    mail_db: Database, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOOLBOX_MAIL_FROM", "Brigade <brigade@culture.example>")
    person = await make_user(mail_db)
    async with mail_db.write() as session:
        await enqueue(session, to=person.email, subject="Bonjour", body="Un essai.")
    assert await MailSender(mail_db, settings(smtp.url)).send_due() == 1
    (message,) = smtp.inbox.messages
    assert str(message["From"]) == "Brigade <brigade@culture.example>"
    assert message.get_content_type() == "text/plain"


async def test_a_server_down_delays_mail_and_loses_none(
    mail_db: Database, smtp: SmtpServer
) -> None:
    smtp.stop()
    person = await make_user(mail_db, locale="en")
    async with mail_db.write() as session:
        mail = await enqueue(session, to=person.email, subject="Session booked", body="Hello.")
    before = utcnow()
    assert await MailSender(mail_db, settings(smtp.url)).send_due() == 1
    (row,) = await rows_to(mail_db, person.email)
    assert row.id == mail.id
    assert row.sent_at is None
    assert row.attempts == 1
    assert row.last_error
    assert row.send_after >= before + retry_delay(1) - timedelta(seconds=1)
    # Not due yet: the next pass leaves it alone.
    assert await MailSender(mail_db, settings(smtp.url)).send_due() == 0

    again = SmtpServer()  # the server is back, on another port
    again.start()
    try:
        async with mail_db.write() as session:
            await session.execute(
                update(OutboxMail).where(OutboxMail.id == mail.id).values(send_after=utcnow())
            )
        assert await MailSender(mail_db, settings(again.url)).send_due() == 1
        (message,) = again.inbox.messages
        assert message["Subject"] == "Session booked"
        (row,) = await rows_to(mail_db, person.email)
        assert row.sent_at is not None
        assert row.attempts == 2
        assert row.last_error is None
    finally:
        again.stop()


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
async def test_smtp_with_a_user_and_password(mail_db: Database) -> None:
    server = SmtpServer(credentials=("brigade", "p@ss:word"))
    server.start()
    try:
        person = await make_user(mail_db)
        async with mail_db.write() as session:
            mail = await enqueue(session, to=person.email, subject="Authentifié", body="Oui.")
        wrong = f"smtp://brigade:nope@127.0.0.1:{server.port}"
        assert await MailSender(mail_db, settings(wrong)).send_due() == 1
        assert server.inbox.messages == []
        (row,) = await rows_to(mail_db, person.email)
        assert (
            row.sent_at is None and row.last_error and "SMTPAuthenticationError" in row.last_error
        )
        async with mail_db.write() as session:
            await session.execute(
                update(OutboxMail).where(OutboxMail.id == mail.id).values(send_after=utcnow())
            )
        right = f"smtp://brigade:p%40ss%3Aword@127.0.0.1:{server.port}"
        assert await MailSender(mail_db, settings(right)).send_due() == 1
        (message,) = server.inbox.messages
        assert message["Subject"] == "Authentifié"
    finally:
        server.stop()


def test_smtp_urls() -> None:
    plain = SmtpAddress.from_url("smtp://relay.example.org")
    assert (plain.hostname, plain.port, plain.username, plain.implicit_tls) == (
        "relay.example.org",
        25,
        None,
        False,
    )
    secure = SmtpAddress.from_url("smtps://me%40example.org:s%2Fecret@mail.example.org")
    assert (secure.port, secure.username, secure.password, secure.implicit_tls) == (
        465,
        "me@example.org",
        "s/ecret",
        True,
    )
    assert SmtpAddress.from_url("smtp://relay:2525").port == 2525
    with pytest.raises(ValueError, match="TOOLBOX_SMTP_URL"):
        SmtpAddress.from_url("http://relay.example.org")


def test_retries_wait_longer_each_time_up_to_an_hour() -> None:
    assert retry_delay(1) == timedelta(seconds=30)
    assert retry_delay(2) == timedelta(seconds=60)
    assert retry_delay(5) == timedelta(minutes=8)
    assert retry_delay(8) == retry_delay(500) == timedelta(hours=1)


async def test_without_smtp_mail_goes_to_the_log(
    mail_db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    scene = await mail_scene(mail_db)
    await queue(mail_db, scene, MailKind.confirmation, scene.english_booking, scene.english)
    caplog.set_level(logging.INFO, logger="toolbox.mail")
    assert await MailSender(mail_db, settings(None)).send_due() == 1
    (row,) = await rows_to(mail_db, scene.english.email)
    assert row.sent_at is not None
    assert scene.english.email in caplog.text
    assert row.subject in caplog.text
    assert "invite.ics" in caplog.text and "METHOD:REQUEST" in caplog.text
    assert "CANARI" not in caplog.text


async def test_mail_of_a_change_that_rolled_back_is_never_sent(mail_db: Database) -> None:
    person = await make_user(mail_db)
    with pytest.raises(RuntimeError):
        async with mail_db.write() as session:
            await enqueue(session, to=person.email, subject="Jamais", body="Jamais envoyé.")
            raise RuntimeError("the change failed")
    assert await rows_to(mail_db, person.email) == []


async def test_the_worker_sends_soon_after_a_wake(mail_db: Database, smtp: SmtpServer) -> None:
    sender = MailSender(mail_db, settings(smtp.url))
    sender.start()
    try:
        await asyncio.sleep(0.2)  # the first pass found nothing: the worker is idle (5 s)
        person = await make_user(mail_db)
        async with mail_db.write() as session:
            await enqueue(session, to=person.email, subject="Réveil", body="Tout de suite.")
        sender.wake()

        async def arrived() -> bool:
            return len(smtp.inbox.messages) == 1

        await wait_until(arrived, within=1.0)
    finally:
        await sender.stop()


async def test_two_workers_send_each_mail_once(mail_db: Database, smtp: SmtpServer) -> None:
    person = await make_user(mail_db)
    async with mail_db.write() as session:
        for n in range(12):
            await enqueue(session, to=person.email, subject=f"Message {n}", body=f"Corps {n}")
    first, second = MailSender(mail_db, settings(smtp.url)), MailSender(mail_db, settings(smtp.url))
    tried = await asyncio.gather(first.send_due(), second.send_due())
    assert sum(tried) == 12
    assert sorted(str(m["Subject"]) for m in smtp.inbox.messages) == sorted(
        f"Message {n}" for n in range(12)
    )


async def test_one_reminder_per_booking_due_within_a_day(mail_db: Database) -> None:
    facilitator = await make_user(mail_db)
    board = await make_board(mail_db, facilitator=facilitator)
    expert = await make_member(mail_db, board, Role.expert)
    people = [await make_member(mail_db, board, Role.participant) for _ in range(7)]
    now = utcnow().replace(microsecond=0)
    soon = await cal_slot(
        mail_db, board, starts_at=now + timedelta(hours=3), capacity=4, expert=expert
    )
    due = [await cal_booking(mail_db, soon, people[0]), await cal_booking(mail_db, soon, people[1])]
    await cal_booking(mail_db, soon, people[2], status=BookingStatus.waiting)
    await cal_booking(mail_db, soon, people[3], status=BookingStatus.cancelled)
    # Booked the day before yesterday, those two are due; a seat booked just now (its
    # confirmation says it all) is not.
    async with mail_db.write() as session:
        await session.execute(
            update(Booking)
            .where(Booking.slot_id == soon.id)
            .values(created_at=now - timedelta(days=2))
        )
    late_booker = await make_member(mail_db, board, Role.participant)
    await cal_booking(mail_db, soon, late_booker)
    later = await cal_slot(mail_db, board, starts_at=now + timedelta(days=2), expert=expert)
    await cal_booking(mail_db, later, people[4])
    past = await cal_slot(mail_db, board, starts_at=now - timedelta(hours=1), expert=expert)
    await cal_booking(mail_db, past, people[5])
    dropped = await cal_slot(mail_db, board, starts_at=now + timedelta(hours=2), expert=expert)
    await cal_booking(mail_db, dropped, people[6])
    async with mail_db.write() as session:
        await session.execute(update(Slot).where(Slot.id == dropped.id).values(cancelled_at=now))

    # Two workers at once (two processes): still one reminder each.
    counts = await asyncio.gather(
        *(
            queue_reminders(mail_db, now=now, base_url=BASE, default_locale="fr_CA")
            for _ in range(2)
        )
    )
    assert sorted(counts) == [0, 2]
    assert await queue_reminders(mail_db, now=now, base_url=BASE, default_locale="fr_CA") == 0
    assert await rows_to(mail_db, late_booker.email) == []
    for person in people:
        rows = await rows_to(mail_db, person.email)
        assert len(rows) == (1 if person in people[:2] else 0), person.email
        for row in rows:
            assert row.calendar_method == "REQUEST"
            assert CANARY_NEED not in row.body
    async with mail_db.read() as session:
        reminded = await session.scalars(
            select(Booking.reminded_at).where(Booking.id.in_([b.id for b in due]))
        )
        assert all(moment is not None for moment in reminded)
    # Leave the outbox empty for the other tests.
    await MailSender(mail_db, settings(None)).send_due()
