"""What an import brings, whatever it comes from: the shape `importer.apply_plan` writes.

A reader (Trello, CSV) turns a file into an `ImportPlan` without touching the database, so the
whole file is checked before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from toolbox.board.models import Kind

#: Told `(done, total)` as an import writes, for a progress bar.
Progress = Callable[[int, int], None]


def no_progress(done: int, total: int) -> None:
    return None


@dataclass
class PlannedLabel:
    name: str
    colour: str | None = None  # None: the next colour of the board's palette
    external_id: str | None = None


@dataclass
class PlannedCard:
    title: str
    description: str = ""
    url: str | None = None
    #: None keeps what the card has (a Trello card has no kind or languages: a second import
    #: must not undo what the facilitators set since); a new card gets `other` and none.
    kind: Kind | None = None
    languages: list[str] | None = None
    labels: list[str] = field(default_factory=list)  # names, as in `ImportPlan.labels`
    archived: bool = False
    external_id: str | None = None


@dataclass
class PlannedColumn:
    title: str
    archived: bool = False
    external_id: str | None = None
    cards: list[PlannedCard] = field(default_factory=list)  # in the order they are shown


@dataclass
class PlannedNote:
    external_id: str
    card_external_id: str
    author: str
    body: str
    at: datetime


@dataclass
class ImportPlan:
    source: str  # "trello", "csv": the namespace of the external ids
    title: str
    description: str = ""
    #: The id of the board in its source: a second import of it updates the board made first.
    external_id: str | None = None
    public: bool = False
    labels: list[PlannedLabel] = field(default_factory=list)
    columns: list[PlannedColumn] = field(default_factory=list)
    notes: list[PlannedNote] = field(default_factory=list)
    checklist_items: int = 0
    links: int = 0
    #: What the file held that has no place here, one sentence each, for the report.
    unmapped: list[str] = field(default_factory=list)

    @property
    def cards(self) -> list[PlannedCard]:
        return [card for column in self.columns for card in column.cards]

    @property
    def size(self) -> int:
        """How many things the import writes: the total of its progress bar."""
        return len(self.labels) + len(self.columns) + len(self.cards) + len(self.notes)
