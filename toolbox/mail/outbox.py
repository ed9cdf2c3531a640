"""Putting a mail in the outbox, inside the transaction of the change it tells of.

Nothing is sent here: `toolbox.mail.sender` sends after commit, so a change that rolls back sends
no mail and a mail server that is down delays mail without failing the change.
"""

from __future__ import annotations

import os
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from toolbox.db import utcnow
from toolbox.mail.models import OutboxMail

SUBJECT_MAX = 300
CALENDAR_METHODS = frozenset({"REQUEST", "CANCEL", "PUBLISH"})


def mail_from(base_url: str) -> str:
    """The From address: TOOLBOX_MAIL_FROM, else noreply@ the host of the base URL."""
    return (
        os.environ.get("TOOLBOX_MAIL_FROM")
        or f"noreply@{urlsplit(base_url).hostname or 'localhost'}"
    )


async def enqueue(
    session: AsyncSession,
    *,
    to: str,
    subject: str,
    body: str,
    calendar: bytes | None = None,
    method: str | None = None,
    send_after: datetime | None = None,
) -> OutboxMail:
    if method is not None and (calendar is None or method not in CALENDAR_METHODS):
        raise ValueError(
            f"a calendar METHOD ({method!r}) needs a calendar and one of REQUEST, CANCEL"
        )
    # One line, whatever a board title holds: a newline in a header would end it (or forge one).
    subject = " ".join(subject.split())[:SUBJECT_MAX]
    mail = OutboxMail(
        to_address=to,
        subject=subject,
        body=body,
        calendar=calendar,
        calendar_method=method,
        send_after=send_after or utcnow(),
        attempts=0,
    )
    session.add(mail)
    await session.flush()
    return mail
