"""The sections of a backup: one kind of row each, exported from a board and restored into one.

A `Section` knows how to export its rows of a board, what one row must look like (checked before
anything is written), and how to restore the rows into a new board. Sections restore in the order
they are registered, each finding what the earlier ones made in `Restoring`.

Extension point: `register_section`. The built-in sections are registered in `backup.py`. The
brigade's `slots` and `bookings` are placeholders for now (`export_nothing`, `refuse_rows`):
exported as empty lists, and a backup with rows in them is refused rather than restored without
them. The brigade replaces them with its own sections under these names (finding the people and
cards it needs already in `Restoring`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy.ext.asyncio import AsyncSession

from toolbox.accounts.models import User
from toolbox.board.models import Board, BoardColumn, Card, Label
from toolbox.errors import Invalid
from toolbox.i18n import gettext as _


class Row(BaseModel):
    """One row of a section, as a backup must hold it: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


@dataclass
class Restoring:
    """A restore in progress: the new board, and what each section made, by exported id."""

    board: Board
    people: dict[str, User] = field(default_factory=dict)  # by e-mail
    labels: dict[int, Label] = field(default_factory=dict)
    columns: dict[int, BoardColumn] = field(default_factory=dict)
    cards: dict[int, Card] = field(default_factory=dict)
    #: What sections registered later (the brigade's slots…) made, by section name, then by
    #: exported id, for the sections after them.
    found: dict[str, dict[int, Any]] = field(default_factory=dict)

    def person(self, email: str | None) -> User | None:
        if email is None:
            return None
        if email not in self.people:
            raise damaged(_("it names %(email)s, who is not among its people.", email=email))
        return self.people[email]

    def find(self, found: dict[int, Any], exported_id: int, what: str) -> Any:
        if exported_id not in found:
            raise damaged(
                _(
                    "it refers to %(what)s %(id)s, which it does not hold.",
                    what=what,
                    id=exported_id,
                )
            )
        return found[exported_id]


Exporter = Callable[[AsyncSession, Board], Awaitable[list[dict[str, Any]]]]
Restorer = Callable[[AsyncSession, Restoring, list[Any]], Awaitable[None]]


@dataclass(frozen=True)
class Section:
    name: str
    row: type[Row]
    export: Exporter
    restore: Restorer


SECTIONS: dict[str, Section] = {}


def register_section(section: Section) -> None:
    """Add a section, or replace the one with its name (keeping its place in the order)."""
    SECTIONS[section.name] = section


def damaged(detail: str) -> Invalid:
    return Invalid(_("The backup is damaged: %(detail)s", detail=detail), field="file")


class Opaque(Row):
    model_config = ConfigDict(extra="allow")


async def export_nothing(session: AsyncSession, board: Board) -> list[dict[str, Any]]:
    return []


async def refuse_rows(session: AsyncSession, state: Restoring, rows: list[Opaque]) -> None:
    if rows:
        raise Invalid(
            _("This backup holds brigade sessions, which this version cannot restore yet."),
            field="file",
        )
