from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from toolbox.db import ModelBase, UTCDateTime, utcnow


class OutboxMail(ModelBase):
    """A mail written in the same transaction as the change it tells of, sent after commit.

    A mail server that is down delays mail; it loses none, and a change that rolled back sends
    nothing.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    #: The iCalendar attachment and its METHOD (REQUEST or CANCEL), if any.
    calendar: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    calendar_method: Mapped[str | None] = mapped_column(String(10), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    send_after: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
