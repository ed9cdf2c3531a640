from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from toolbox.db import ModelBase, UTCDateTime, utcnow

NEED_MAX = 2_000
ORGANISATION_MAX = 200
PLACE_MAX = 120


class Outcome(enum.StrEnum):
    held = "held"
    missed = "missed"


class BookingStatus(enum.StrEnum):
    active = "active"
    waiting = "waiting"  # on the waitlist of a full slot
    cancelled = "cancelled"


class ExpertProfile(ModelBase):
    """What an expert offers on one board: specialities (as the board's labels), languages, bio."""

    __tablename__ = "expert_profiles"
    __table_args__ = (UniqueConstraint("board_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    specialities: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    bio: Mapped[str] = mapped_column(Text, default="")


class Slot(ModelBase):
    """One accompaniment session: stored in UTC, shown in the board's time zone."""

    __tablename__ = "slots"

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    place: Mapped[str] = mapped_column(String(PLACE_MAX), default="")
    video_url: Mapped[str | None] = mapped_column(String(2000), default=None)
    capacity: Mapped[int] = mapped_column(Integer, default=1)
    #: Seats taken by active bookings. Only ever changed by a conditional UPDATE that checks it
    #: against `capacity` in the same statement: the database, not Python, refuses the extra seat.
    seats_taken: Mapped[int] = mapped_column(Integer, default=0)
    expert_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None, index=True
    )
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    outcome: Mapped[Outcome | None] = mapped_column(
        Enum(Outcome, native_enum=False, length=10), default=None
    )
    #: Grows with every change that calendars must hear about (iCalendar SEQUENCE).
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Booking(ModelBase):
    """A participant's seat (or place on the waitlist) in a slot, with their confidential need."""

    __tablename__ = "bookings"
    __table_args__ = (
        # One live booking per person per slot, enforced by the database: a double click, or
        # two tabs, make one booking and one clean conflict.
        Index(
            "uq_bookings_live_participant",
            "slot_id",
            "participant_id",
            unique=True,
            sqlite_where=text("status != 'cancelled'"),
            postgresql_where=text("status != 'cancelled'"),
        ),
        Index(
            "uq_bookings_live_organisation",
            "slot_id",
            "organisation_key",
            unique=True,
            sqlite_where=text("status != 'cancelled'"),
            postgresql_where=text("status != 'cancelled'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), index=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    organisation: Mapped[str] = mapped_column(String(ORGANISATION_MAX))
    #: The organisation's name folded (case, accents, spaces) to find its other bookings.
    organisation_key: Mapped[str] = mapped_column(String(ORGANISATION_MAX))
    need: Mapped[str] = mapped_column(Text)
    status: Mapped[BookingStatus] = mapped_column(
        Enum(BookingStatus, native_enum=False, length=20), default=BookingStatus.active
    )
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
