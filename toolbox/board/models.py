from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    Column,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from toolbox.db import ModelBase, UTCDateTime, utcnow
from toolbox.i18n import gettext

TITLE_MAX = 200
DESCRIPTION_MAX = 20_000
URL_MAX = 2_000


class Role(enum.StrEnum):
    participant = "participant"
    expert = "expert"
    facilitator = "facilitator"


class Visibility(enum.StrEnum):
    public = "public"
    members = "members"


class Registration(enum.StrEnum):
    open = "open"
    invitation = "invitation"


def N_(message: str) -> str:
    """Mark a message for the catalogs (`make messages`) without translating it: it is
    translated where it is shown, in the reader's language."""
    return message


class Kind(enum.StrEnum):
    """What a card's resource is: the one list of kinds, each with its name for people, that
    the forms, the filters, the API schemas, the imports and the demo read."""

    _value_: str
    msgid: str

    # Run once per member as the class is made. `Kind("tool")` later looks a member up and runs
    # none of this; the default only tells the type checker that this call is fine.
    def __new__(cls, value: str, msgid: str = "") -> Kind:
        member = str.__new__(cls, value)
        member._value_ = value
        member.msgid = msgid
        return member

    tool = "tool", N_("Tool")
    guide = "guide", N_("Guide")
    template = "template", N_("Template")
    glossary = "glossary", N_("Glossary")
    article = "article", N_("Article")
    video = "video", N_("Video")
    training = "training", N_("Training")
    organisation = "organisation", N_("Organisation")
    event = "event", N_("Event")
    other = "other", N_("Other")

    @property
    def label(self) -> str:
        """The kind's name in the reader's language."""
        return gettext(self.msgid)


class Board(ModelBase):
    __tablename__ = "boards"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    description: Mapped[str] = mapped_column(Text, default="")
    timezone: Mapped[str] = mapped_column(String(64), default="America/Toronto")
    visibility: Mapped[Visibility] = mapped_column(
        Enum(Visibility, native_enum=False, length=20), default=Visibility.members
    )
    registration: Mapped[Registration] = mapped_column(
        Enum(Registration, native_enum=False, length=20), default=Registration.invitation
    )
    #: Participants may cancel a booking until this many hours before the session.
    cancel_hours: Mapped[int] = mapped_column(Integer, default=24)
    #: Grows by one with every change; the last event's number.
    seq: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class BoardColumn(ModelBase):
    __tablename__ = "columns"

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    description: Mapped[str] = mapped_column(Text, default="")
    colour: Mapped[str | None] = mapped_column(String(20), default=None)
    position: Mapped[float] = mapped_column(Float)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


card_labels = Table(
    "card_labels",
    ModelBase.metadata,
    Column("card_id", ForeignKey("cards.id", ondelete="CASCADE"), primary_key=True),
    Column("label_id", ForeignKey("labels.id", ondelete="CASCADE"), primary_key=True),
    # A board's labels with their cards (the board page), and a label's deletion: by label.
    Index("ix_card_labels_label_id", "label_id"),
)


class Label(ModelBase):
    __tablename__ = "labels"
    __table_args__ = (UniqueConstraint("board_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    colour: Mapped[str] = mapped_column(String(20), default="grey")


class Card(ModelBase):
    __tablename__ = "cards"

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), index=True)
    column_id: Mapped[int] = mapped_column(ForeignKey("columns.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    url: Mapped[str | None] = mapped_column(String(URL_MAX), default=None)
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[Kind] = mapped_column(Enum(Kind, native_enum=False, length=20), default=Kind.other)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    audiences: Mapped[list[str]] = mapped_column(JSON, default=list)
    source: Mapped[str] = mapped_column(String(TITLE_MAX), default="")
    licence: Mapped[str] = mapped_column(String(120), default="")
    position: Mapped[float] = mapped_column(Float)
    version: Mapped[int] = mapped_column(Integer, default=1)
    #: How many people marked it useful (`UsefulMark`), kept in the same transaction as the
    #: marks: the board sorts by it and every card document carries it.
    useful: Mapped[int] = mapped_column(Integer, server_default="0")
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    labels: Mapped[list[Label]] = relationship(
        secondary=card_labels, lazy="selectin", order_by="Label.name"
    )

    # The few cards a board hides, found without walking the board (toolbox/board/search.py
    # sets them aside from a search's matches on PostgreSQL).
    __table_args__ = (
        Index(
            "ix_cards_archived",
            "board_id",
            postgresql_where=text("archived_at IS NOT NULL"),
            sqlite_where=text("archived_at IS NOT NULL"),
        ),
    )

    # `useful` is the database's default (so that older revisions' rows and bulk inserts get
    # it too), read back in the INSERT's RETURNING rather than by a lazy load later.
    __mapper_args__ = {"eager_defaults": True}  # noqa: RUF012 - read once by the mapper


class Favourite(ModelBase):
    """A person's private star on a card: listed on their /me, shown to nobody else."""

    __tablename__ = "favourites"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    card_id: Mapped[int] = mapped_column(
        ForeignKey("cards.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class UsefulMark(ModelBase):
    """One person found a card useful: public as a count (`Card.useful`), never as names."""

    __tablename__ = "useful_marks"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    card_id: Mapped[int] = mapped_column(
        ForeignKey("cards.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SuggestionStatus(enum.StrEnum):
    pending = "pending"
    accepted = "accepted"
    declined = "declined"


class Suggestion(ModelBase):
    """A resource a participant proposes; the facilitators accept it (it becomes a card) or
    decline it with a reason that only the proposer and the facilitators see."""

    __tablename__ = "suggestions"

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), index=True)
    proposer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    url: Mapped[str | None] = mapped_column(String(URL_MAX), default=None)
    why: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[SuggestionStatus] = mapped_column(
        Enum(SuggestionStatus, native_enum=False, length=20), default=SuggestionStatus.pending
    )
    reason: Mapped[str] = mapped_column(Text, default="")
    card_id: Mapped[int | None] = mapped_column(
        ForeignKey("cards.id", ondelete="SET NULL"), default=None
    )
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class Membership(ModelBase):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("board_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Invitation(ModelBase):
    """A single-use link that makes whoever opens it a member of a board with a role."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=20))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    used_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
