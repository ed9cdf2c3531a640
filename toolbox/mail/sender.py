"""The worker that empties the outbox: SMTP when TOOLBOX_SMTP_URL is set, else the log.

Delivery is at least once, and nothing is lost:
- a row is leased (its `send_after` pushed past the time a send can take) by a conditional UPDATE
  before it is sent, so two processes, each with its own worker, never send the same mail at once;
- it is marked sent in its own transaction once the SMTP server has accepted it;
- a failure (server down, refused) keeps the row, counts the attempt and tries again later,
  waiting twice as long each time, an hour at most. A process that dies mid-send leaves the lease
  to expire, and the mail goes out from the next worker that looks.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import unquote, urlsplit

import aiosmtplib
from sqlalchemy import select, update

from toolbox.db import Database, utcnow
from toolbox.mail.messages import queue_reminders
from toolbox.mail.models import OutboxMail
from toolbox.mail.outbox import mail_from
from toolbox.settings import Settings

log = logging.getLogger("toolbox.mail")

#: Longer than one SMTP exchange can take (its timeout), so a lease never runs out mid-send.
LEASE = timedelta(minutes=5)
SMTP_TIMEOUT = 60.0
FIRST_RETRY = timedelta(seconds=30)
LAST_RETRY = timedelta(hours=1)
#: Poll often while mail is flowing, rarely when the outbox was empty.
BUSY_INTERVAL = 1.0
IDLE_INTERVAL = 5.0
REMINDER_INTERVAL = 60.0
BATCH = 50
#: How long `stop()` lets the mail being sent finish before it cancels the worker.
STOP_GRACE = 10.0


@dataclass(frozen=True)
class SmtpServer:
    hostname: str
    port: int
    username: str | None
    password: str | None
    implicit_tls: bool

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        """`smtp://user:pass@host:port` (STARTTLS when the server offers it) or `smtps://…`."""
        parts = urlsplit(url)
        if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
            raise ValueError(f"TOOLBOX_SMTP_URL must be smtp://… or smtps://…, not {url!r}")
        implicit_tls = parts.scheme == "smtps"
        return cls(
            hostname=parts.hostname,
            port=parts.port or (465 if implicit_tls else 25),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            implicit_tls=implicit_tls,
        )


def retry_delay(attempts: int) -> timedelta:
    """30 s after the first failure, then twice as long each time, an hour at most."""
    doublings = min(max(attempts - 1, 0), 16)
    return min(FIRST_RETRY * (1 << doublings), LAST_RETRY)


def build_message(mail: OutboxMail, *, sender: str, host: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to_address
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(mail.created_at)
    # The same Message-ID on every attempt, so a mail sent twice (a lease that ran out) can be
    # recognised as one by the receiving side.
    message["Message-ID"] = f"<outbox-{mail.id}-{int(mail.created_at.timestamp())}@{host}>"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.body, charset="utf-8")
    if mail.calendar is not None:
        params = {"charset": "utf-8"}
        if mail.calendar_method:
            params["method"] = mail.calendar_method
        message.add_attachment(
            mail.calendar,
            maintype="text",
            subtype="calendar",
            params=params,
            filename="invite.ics",
        )
    return message


class MailSender:
    """Sends due outbox mail in the background; one per process."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings
        self.smtp = SmtpServer.from_url(settings.smtp_url) if settings.smtp_url else None
        self.sender = mail_from(settings.base_url)
        self.host = urlsplit(settings.base_url).hostname or "localhost"
        self._wake = asyncio.Event()
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._reminded_at = -REMINDER_INTERVAL

    def start(self) -> None:
        if self.smtp is None and not log.hasHandlers():
            # Without SMTP the log is the mailbox (a laptop, a workshop): make sure it shows,
            # even when nothing else configured logging.
            log.addHandler(logging.StreamHandler())
        if self.smtp is None and log.level == logging.NOTSET:
            log.setLevel(logging.INFO)
        self._stop.clear()
        self._task = asyncio.create_task(self._run(), name="toolbox-mail-sender")

    def wake(self) -> None:
        """Look at the outbox now rather than at the next poll."""
        self._wake.set()

    async def stop(self) -> None:
        """Let the mail being sent finish (it would be sent again otherwise), then stop."""
        if self._task is None:
            return
        self._stop.set()
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(self._task), STOP_GRACE)
        except TimeoutError:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._task = None

    async def _run(self) -> None:
        while not self._stop.is_set():
            # Cleared before looking, so a wake() that comes while mail is being sent is kept
            # and the next look follows at once.
            self._wake.clear()
            handled = 0
            try:
                handled = await self.send_due()
                if time.monotonic() - self._reminded_at >= REMINDER_INTERVAL:
                    self._reminded_at = time.monotonic()
                    await queue_reminders(
                        self.db,
                        now=utcnow(),
                        base_url=self.settings.base_url,
                        default_locale=self.settings.default_locale,
                    )
            except Exception:
                # The database may be restarting: keep the worker alive and look again later.
                log.exception("the mail worker could not read the outbox")
            if self._stop.is_set():
                break
            if handled >= BATCH:  # a backlog: keep going
                continue
            interval = BUSY_INTERVAL if handled else IDLE_INTERVAL
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), interval)

    async def send_due(self, now: datetime | None = None) -> int:
        """Send every due mail, oldest first; return how many were tried (sent or failed)."""
        now = now or utcnow()
        async with self.db.read() as session:
            due = list(
                await session.scalars(
                    select(OutboxMail.id)
                    .where(OutboxMail.sent_at.is_(None), OutboxMail.send_after <= now)
                    .order_by(OutboxMail.id)
                    .limit(BATCH)
                )
            )
        tried = 0
        for mail_id in due:
            if self._stop.is_set():
                break
            mail = await self._lease(mail_id, now)
            if mail is None:  # another process took it
                continue
            tried += 1
            try:
                await self._deliver(mail)
            except Exception as error:
                await self._failed(mail, error)
            else:
                await self._sent(mail)
        return tried

    async def _lease(self, mail_id: int, now: datetime) -> OutboxMail | None:
        async with self.db.write() as session:
            leased = await session.execute(
                update(OutboxMail)
                .where(
                    OutboxMail.id == mail_id,
                    OutboxMail.sent_at.is_(None),
                    OutboxMail.send_after <= now,
                )
                .values(send_after=utcnow() + LEASE)
                .execution_options(synchronize_session=False)
            )
            if leased.rowcount != 1:  # type: ignore[attr-defined]
                return None
            return await session.get(OutboxMail, mail_id)

    async def _deliver(self, mail: OutboxMail) -> None:
        message = build_message(mail, sender=self.sender, host=self.host)
        if self.smtp is None:
            log.info(
                "mail to %s: %s\n%s\n(attachment: %s)",
                mail.to_address,
                mail.subject,
                mail.body,
                f"invite.ics, {len(mail.calendar)} bytes, METHOD:{mail.calendar_method}"
                if mail.calendar is not None
                else "none",
            )
            return
        await aiosmtplib.send(
            message,
            hostname=self.smtp.hostname,
            port=self.smtp.port,
            username=self.smtp.username,
            password=self.smtp.password,
            use_tls=self.smtp.implicit_tls,
            timeout=SMTP_TIMEOUT,
        )

    async def _sent(self, mail: OutboxMail) -> None:
        async with self.db.write() as session:
            await session.execute(
                update(OutboxMail)
                .where(OutboxMail.id == mail.id)
                .values(sent_at=utcnow(), attempts=OutboxMail.attempts + 1, last_error=None)
                .execution_options(synchronize_session=False)
            )

    async def _failed(self, mail: OutboxMail, error: Exception) -> None:
        attempts = mail.attempts + 1
        delay = retry_delay(attempts)
        log.warning(
            "mail %s to %s not sent (attempt %s, next in %s): %s",
            mail.id,
            mail.to_address,
            attempts,
            delay,
            error,
        )
        async with self.db.write() as session:
            await session.execute(
                update(OutboxMail)
                .where(OutboxMail.id == mail.id)
                .values(
                    attempts=attempts,
                    last_error=f"{type(error).__name__}: {error}"[:2000],
                    send_after=utcnow() + delay,
                )
                .execution_options(synchronize_session=False)
            )
