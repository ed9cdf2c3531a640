"""Where imported things came from, comments brought from Trello, and imports run from the web.

The board's own tables know nothing of imports: provenance lives here, so that a second import of
the same Trello board updates what the first one made instead of adding it again.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from toolbox.db import ModelBase, UTCDateTime, utcnow

EXTERNAL_ID_MAX = 100


class BoardOrigin(ModelBase):
    """The outside board (a Trello board) that a board was made from: one each way."""

    __tablename__ = "board_origins"
    __table_args__ = (UniqueConstraint("source", "external_id"),)

    board_id: Mapped[int] = mapped_column(
        ForeignKey("boards.id", ondelete="CASCADE"), primary_key=True
    )
    source: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(EXTERNAL_ID_MAX))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ExternalId(ModelBase):
    """A column, card or label of a board, and the id it had where it was imported from."""

    __tablename__ = "external_ids"
    __table_args__ = (UniqueConstraint("board_id", "source", "kind", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(10))  # "column", "card" or "label"
    external_id: Mapped[str] = mapped_column(String(EXTERNAL_ID_MAX))
    #: The row's id in the table `kind` names. Columns, cards and labels are archived, never
    #: deleted, so it stays valid; the whole set goes with its board.
    local_id: Mapped[int] = mapped_column(Integer)


class HistoryNote(ModelBase):
    """A remark from a card's past, such as a Trello comment, kept with who wrote it and when."""

    __tablename__ = "history_notes"
    __table_args__ = (UniqueConstraint("board_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"))
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"), index=True)
    external_id: Mapped[str | None] = mapped_column(String(EXTERNAL_ID_MAX), default=None)
    author: Mapped[str] = mapped_column(String(120), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class JobStatus(enum.StrEnum):
    running = "running"
    done = "done"
    failed = "failed"


class ImportJob(ModelBase):
    """An import started from the manage page, which the page follows until it is done.

    The row (not the process's memory) says how it ended, so any app process can answer the
    page's polling; the live count of items written is kept by the process doing the work.
    """

    __tablename__ = "import_jobs"

    #: Random and unguessable: it is in the address of the progress page.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[JobStatus] = mapped_column(
        Enum(JobStatus, native_enum=False, length=10), default=JobStatus.running
    )
    result_board_id: Mapped[int | None] = mapped_column(
        ForeignKey("boards.id", ondelete="SET NULL"), default=None
    )
    #: Sentences for the person who started it, in their language: counts, what was not mapped.
    report: Mapped[list[Any]] = mapped_column(JSON, default=list)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
