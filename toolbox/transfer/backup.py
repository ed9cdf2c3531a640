"""A board's complete backup as one versioned JSON document, and restoring it as a new board.

    {"format": "toolbox-backup", "version": 1, "exported_at": "…", "board": {…},
     "people": […], "labels": […], "columns": […], "cards": […], "notes": […],
     "memberships": […], "events": […], "external_ids": […], "slots": […], "bookings": […]}

Each list is a *section* (see `toolbox.transfer.sections`, where new kinds of data plug in).

Rows refer to each other by the ids they had when exported (a card's `column_id`), to people by
e-mail, to labels by name. Restoring gives new ids and keeps everything else, timestamps
included, so export → restore → export gives the same document but for ids and `exported_at`.
Password hashes, sessions, tokens and invitations are not in a backup.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from toolbox.board.models import (
    DESCRIPTION_MAX,
    TITLE_MAX,
    Board,
    Registration,
    Visibility,
)
from toolbox.board.schemas import BoardIn
from toolbox.db import utcnow
from toolbox.errors import Conflict, Invalid
from toolbox.i18n import gettext as _
from toolbox.transfer import board_sections as built_in
from toolbox.transfer import brigade_sections as brigade
from toolbox.transfer.models import BoardOrigin
from toolbox.transfer.sections import (
    SECTIONS,
    Restoring,
    Row,
    Section,
    damaged,
    register_section,
)
from toolbox.validation import parse_form

FORMAT = "toolbox-backup"
VERSION = 1

# In restore order: each finds in `Restoring` what the ones before it made.
for _section in (
    Section("people", built_in.PersonRow, built_in.export_people, built_in.restore_people),
    Section("labels", built_in.LabelRow, built_in.export_labels, built_in.restore_labels),
    Section("columns", built_in.ColumnRow, built_in.export_columns, built_in.restore_columns),
    Section("cards", built_in.CardRow, built_in.export_cards, built_in.restore_cards),
    Section("notes", built_in.NoteRow, built_in.export_notes, built_in.restore_notes),
    Section(
        "memberships",
        built_in.MembershipRow,
        built_in.export_memberships,
        built_in.restore_memberships,
    ),
    Section("events", built_in.EventRow, built_in.export_events, built_in.restore_events),
    Section(
        "external_ids",
        built_in.ExternalIdRow,
        built_in.export_external_ids,
        built_in.restore_external_ids,
    ),
    Section("profiles", brigade.ProfileRow, brigade.export_profiles, brigade.restore_profiles),
    Section("slots", brigade.SlotRow, brigade.export_slots, brigade.restore_slots),
    Section("bookings", brigade.BookingRow, brigade.export_bookings, brigade.restore_bookings),
):
    register_section(_section)


class Origin(Row):
    source: Annotated[str, Field(max_length=20)]
    external_id: Annotated[str, Field(max_length=100)]


class BoardRow(Row):
    slug: str
    title: Annotated[str, Field(min_length=1, max_length=TITLE_MAX)]
    description: Annotated[str, Field(max_length=DESCRIPTION_MAX)] = ""
    timezone: Annotated[str, Field(max_length=64)]
    visibility: Visibility
    registration: Registration
    cancel_hours: int
    seq: Annotated[int, Field(ge=0)]
    created_at: datetime
    origin: Origin | None = None


async def consistent_snapshot(session: AsyncSession) -> None:
    """Make every read of this (fresh) session see one moment, so a backup taken while people
    edit cannot hold a card without its column. SQLite's read transaction is a snapshot already;
    PostgreSQL's default reads each statement anew."""
    if session.get_bind().dialect.name == "postgresql":
        await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


async def export_backup(session: AsyncSession, board: Board) -> dict[str, Any]:
    origin = await session.get(BoardOrigin, board.id)
    document: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": utcnow().isoformat(),
        "board": {
            "slug": board.slug,
            "title": board.title,
            "description": board.description,
            "timezone": board.timezone,
            "visibility": board.visibility.value,
            "registration": board.registration.value,
            "cancel_hours": board.cancel_hours,
            "seq": board.seq,
            "created_at": board.created_at.isoformat(),
            "origin": {"source": origin.source, "external_id": origin.external_id}
            if origin
            else None,
        },
    }
    for section in SECTIONS.values():
        document[section.name] = await section.export(session, board)
    return document


@dataclass
class CheckedBackup:
    board: BoardRow
    sections: dict[str, list[Any]]

    @property
    def counts(self) -> dict[str, int]:
        return {name: len(rows) for name, rows in self.sections.items()}


def check_backup(document: Any) -> CheckedBackup:
    """The backup's every row checked, before anything is written."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise Invalid(_("This is not a Toolbox backup (JSON)."), field="file")
    version = document.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise Invalid(_("This is not a Toolbox backup (JSON)."), field="file")
    if version > VERSION:
        raise Invalid(
            _(
                "This backup was made by a newer Toolbox (format version %(version)s; this one "
                "reads up to version %(supported)s). Upgrade Toolbox first.",
                version=version,
                supported=VERSION,
            ),
            field="file",
        )
    unknown = set(document) - {"format", "version", "exported_at", "board", *SECTIONS}
    if unknown:
        raise damaged(_("it has unknown parts: %(names)s.", names=", ".join(sorted(unknown))))
    where = "board"
    try:
        board = BoardRow.model_validate(document.get("board"))
        sections: dict[str, list[Any]] = {}
        for name, section in SECTIONS.items():
            where = name
            rows = document.get(name, [])
            if not isinstance(rows, list):
                raise damaged(_("“%(where)s” is missing or not valid.", where=where))
            sections[name] = []
            for index, row in enumerate(rows):
                where = f"{name}[{index}]"
                sections[name].append(section.row.model_validate(row))
    except ValidationError as error:
        location = ".".join(str(part) for part in error.errors(include_url=False)[0]["loc"])
        where = f"{where}.{location}" if location else where
        raise damaged(_("“%(where)s” is missing or not valid.", where=where)) from None
    return CheckedBackup(board=board, sections=sections)


async def restore_backup(
    session: AsyncSession, backup: CheckedBackup, *, slug: str | None = None
) -> Board:
    """Restore a checked backup as a new board (at `slug`, or the slug it had)."""
    row = backup.board
    slug = slug or row.slug
    parse_form(BoardIn, {"slug": slug, "title": row.title})
    if await session.scalar(select(Board.id).where(Board.slug == slug)) is not None:
        raise Conflict(
            _("A board already has the short name “%(slug)s”: choose another.", slug=slug),
            code="slug_taken",
        )
    board = Board(
        slug=slug,
        title=row.title,
        description=row.description,
        timezone=row.timezone,
        visibility=row.visibility,
        registration=row.registration,
        cancel_hours=row.cancel_hours,
        # Events come back with their numbers; the next change continues after them.
        seq=row.seq,
        created_at=row.created_at,
    )
    session.add(board)
    await session.flush()
    if row.origin is not None:
        taken = await session.scalar(
            select(BoardOrigin.board_id).where(
                BoardOrigin.source == row.origin.source,
                BoardOrigin.external_id == row.origin.external_id,
            )
        )
        # The original board may still be here: then it stays the one a new import updates.
        if taken is None:
            session.add(
                BoardOrigin(
                    board_id=board.id,
                    source=row.origin.source,
                    external_id=row.origin.external_id,
                )
            )
    restoring = Restoring(board=board)
    for name, section in SECTIONS.items():
        await section.restore(session, restoring, backup.sections[name])
        await session.flush()
    return board
