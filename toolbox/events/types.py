"""One declaration per kind of board event: its payload, who may see it, what it refreshes.

The payload's fields, in order, are the event's stored JSON `data` (and what API clients and
the websocket's JSON receive): `to_data()` writes them, `parse()` reads a stored row back.
Nested documents (a card, a column, a slot) stay the plain dicts their domain builds, because
that is their public shape; the fields around them are typed.

The renderer, the audience filter, replay and the manage page's history read these
declarations instead of matching on the type's spelling, so a new kind of event is one class.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, TypeVar

FACILITATOR = "facilitator"  # the role that sees every event (`Audience.role`)


class Reach(enum.Enum):
    """Who receives an event at all."""

    EVERYONE = "everyone"  # everyone who may read the board
    FACILITATORS = "facilitators"  # it speaks of people and roles


class Refresh(enum.Enum):
    """What an event changes on the screen of someone watching the board."""

    NOTHING = "nothing"  # no fragment: the JSON clients still get the event
    WHOLE_BOARD = "whole board"  # the set or order of the columns changed
    COLUMNS = "columns"  # the columns the event names (a card came, went or moved)
    CARD = "card"  # one card, where it is
    SLOT = "slot"  # one session's cell in the brigade's schedule
    SCHEDULE = "schedule"  # the brigade's whole schedule (sessions were added)
    SUGGESTIONS = "suggestions"  # the facilitators' count of suggestions waiting


@dataclass(frozen=True, slots=True)
class Event:
    """A board event's payload. Subclasses declare `type`, `reach` and `refreshes`."""

    type: ClassVar[str]
    reach: ClassVar[Reach] = Reach.EVERYONE
    refreshes: ClassVar[Refresh] = Refresh.NOTHING
    # Those it involves get a rendering of their own, with the details only they may see (their
    # booking, their session); everyone else gets the role's. The payload itself says only what
    # anyone on the board may know.
    personal: ClassVar[bool] = False

    def to_data(self) -> dict[str, Any]:
        """The stored JSON `data`, key for key as the board has always recorded it."""
        return {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}

    #: Fields of the payload that only facilitators see (the rest of the payload is everyone's).
    facilitators_only: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def visible_to(cls, role: str) -> bool:
        return cls.reach is Reach.EVERYONE or role == FACILITATOR

    @property
    def subject(self) -> str:
        """What the event is about, in a few words (a card's or column's title), or ""."""
        return ""

    @property
    def author(self) -> str:
        """The name of who made the change, for its sentence ("" if not recorded: a visitor,
        the command line, or a row from before the author was written down)."""
        by = getattr(self, "by", None)  # a field of most declarations, not of all
        return by if isinstance(by, str) else ""

    @property
    def column_ids(self) -> set[int]:
        """The columns whose content changed (for `Refresh.COLUMNS`)."""
        return set()

    @property
    def shown_card_id(self) -> int | None:
        """The card to show again (for `Refresh.CARD`)."""
        return None

    @property
    def rights_changed_for(self) -> int | None:
        """The person whose rights on the board this changes: their open sockets, which were
        let in with the old ones, must not hear the next event (DESIGN.md §4)."""
        return None


EVENT_TYPES: dict[str, type[Event]] = {}
Declared = TypeVar("Declared", bound=type[Event])


def declared(cls: Declared) -> Declared:
    """Register a declaration under its type's name (one class per name)."""
    assert cls.type not in EVENT_TYPES, f"{cls.type} is declared twice"
    EVENT_TYPES[cls.type] = cls
    return cls


def parse(type: str, data: dict[str, Any]) -> Event | None:
    """A stored event as its declaration, or None for a type no longer declared or a payload
    that does not fit it (a row written by an older version). Keys the declaration does not
    know are ignored; a field missing from an old row takes its default, if it has one."""
    cls = EVENT_TYPES.get(type)
    if cls is None:
        return None
    names = {field.name for field in dataclasses.fields(cls)}
    try:
        return cls(**{key: value for key, value in data.items() if key in names})
    except TypeError:
        return None


def _title_of(document: dict[str, Any]) -> str:
    return str(document.get("title", ""))


# --- the board ----------------------------------------------------------------------------


@declared
@dataclass(frozen=True, slots=True)
class BoardUpdated(Event):
    type: ClassVar[str] = "board.updated"
    refreshes: ClassVar[Refresh] = Refresh.WHOLE_BOARD
    board: dict[str, Any]


@declared
@dataclass(frozen=True, slots=True)
class BoardImported(Event):
    type: ClassVar[str] = "board.imported"
    refreshes: ClassVar[Refresh] = Refresh.WHOLE_BOARD
    source: str
    columns: int
    cards: int
    labels: int


# --- columns ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ColumnWithDocument(Event):
    """An event that carries the column's document (`column_document`)."""

    column: dict[str, Any]

    @property
    def subject(self) -> str:
        return _title_of(self.column)


@declared
@dataclass(frozen=True, slots=True)
class ColumnCreated(ColumnWithDocument):
    type: ClassVar[str] = "column.created"
    refreshes: ClassVar[Refresh] = Refresh.WHOLE_BOARD
    index: int
    # None only in rows recorded before the author was written down.
    by: str | None = None


@declared
@dataclass(frozen=True, slots=True)
class ColumnUpdated(ColumnWithDocument):
    type: ClassVar[str] = "column.updated"
    refreshes: ClassVar[Refresh] = Refresh.COLUMNS
    by: str | None = None

    @property
    def column_ids(self) -> set[int]:
        return {int(self.column["id"])}


@declared
@dataclass(frozen=True, slots=True)
class ColumnRestored(ColumnWithDocument):
    type: ClassVar[str] = "column.restored"
    refreshes: ClassVar[Refresh] = Refresh.WHOLE_BOARD
    index: int
    by: str | None = None


@declared
@dataclass(frozen=True, slots=True)
class ColumnMoved(Event):
    type: ClassVar[str] = "column.moved"
    refreshes: ClassVar[Refresh] = Refresh.WHOLE_BOARD
    column_id: int
    title: str
    index: int
    by: str

    @property
    def subject(self) -> str:
        return self.title


@declared
@dataclass(frozen=True, slots=True)
class ColumnArchived(Event):
    type: ClassVar[str] = "column.archived"
    refreshes: ClassVar[Refresh] = Refresh.WHOLE_BOARD
    column_id: int
    title: str
    by: str

    @property
    def subject(self) -> str:
        return self.title


# --- cards --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CardWithDocument(Event):
    """An event that carries the card's document (`card_document`)."""

    card: dict[str, Any]

    @property
    def subject(self) -> str:
        return _title_of(self.card)

    @property
    def column_ids(self) -> set[int]:
        return {int(self.card["column_id"])}

    @property
    def shown_card_id(self) -> int | None:
        return int(self.card["id"])


@declared
@dataclass(frozen=True, slots=True)
class CardCreated(CardWithDocument):
    type: ClassVar[str] = "card.created"
    refreshes: ClassVar[Refresh] = Refresh.COLUMNS
    index: int
    by: str


@declared
@dataclass(frozen=True, slots=True)
class CardUpdated(CardWithDocument):
    type: ClassVar[str] = "card.updated"
    refreshes: ClassVar[Refresh] = Refresh.CARD
    by: str


@declared
@dataclass(frozen=True, slots=True)
class CardRestored(CardWithDocument):
    type: ClassVar[str] = "card.restored"
    refreshes: ClassVar[Refresh] = Refresh.COLUMNS
    index: int
    by: str


@declared
@dataclass(frozen=True, slots=True)
class CardMoved(Event):
    type: ClassVar[str] = "card.moved"
    refreshes: ClassVar[Refresh] = Refresh.COLUMNS
    card_id: int
    title: str
    from_column_id: int
    column_id: int
    column_title: str
    index: int
    by: str
    # The destination's and the origin's order once moved, as `ordering.order_check` writes
    # it: a client that applied the move to a copy that had drifted finds out and reads the
    # column again. "" in rows recorded before these were written down.
    order: str = ""
    from_order: str = ""

    @property
    def subject(self) -> str:
        return self.title

    @property
    def column_ids(self) -> set[int]:
        return {self.from_column_id, self.column_id}


@declared
@dataclass(frozen=True, slots=True)
class CardArchived(Event):
    type: ClassVar[str] = "card.archived"
    refreshes: ClassVar[Refresh] = Refresh.COLUMNS
    card_id: int
    column_id: int
    title: str
    by: str

    @property
    def subject(self) -> str:
        return self.title

    @property
    def column_ids(self) -> set[int]:
        return {self.column_id}


@declared
@dataclass(frozen=True, slots=True)
class CardUseful(Event):
    """Someone marked a card useful, or took their mark back: the card's new count, never who
    (a useful mark is public as a number only)."""

    type: ClassVar[str] = "card.useful"
    refreshes: ClassVar[Refresh] = Refresh.CARD
    card_id: int
    column_id: int
    title: str
    useful: int

    @property
    def subject(self) -> str:
        return self.title

    @property
    def shown_card_id(self) -> int | None:
        return self.card_id

    @property
    def column_ids(self) -> set[int]:
        return {self.column_id}


# --- suggestions ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SuggestionEvent(Event):
    """A participant's suggestion came or was decided: for the facilitators, with how many now
    wait (a declined suggestion's reason stays in the suggestion, for its proposer)."""

    reach: ClassVar[Reach] = Reach.FACILITATORS
    refreshes: ClassVar[Refresh] = Refresh.SUGGESTIONS
    suggestion_id: int
    title: str
    pending: int
    by: str

    @property
    def subject(self) -> str:
        return self.title


@declared
@dataclass(frozen=True, slots=True)
class SuggestionCreated(SuggestionEvent):
    type: ClassVar[str] = "suggestion.created"


@declared
@dataclass(frozen=True, slots=True)
class SuggestionAccepted(SuggestionEvent):
    type: ClassVar[str] = "suggestion.accepted"
    card_id: int = 0


@declared
@dataclass(frozen=True, slots=True)
class SuggestionDeclined(SuggestionEvent):
    type: ClassVar[str] = "suggestion.declined"


# --- labels -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LabelEvent(Event):
    """A label made, renamed or recoloured, or deleted: the cards that carry it show it."""

    refreshes: ClassVar[Refresh] = Refresh.WHOLE_BOARD
    label: dict[str, Any]  # `label_document`
    by: str

    @property
    def subject(self) -> str:
        return str(self.label.get("name", ""))


@declared
@dataclass(frozen=True, slots=True)
class LabelCreated(LabelEvent):
    type: ClassVar[str] = "label.created"
    refreshes: ClassVar[Refresh] = Refresh.NOTHING  # no card carries it yet


@declared
@dataclass(frozen=True, slots=True)
class LabelUpdated(LabelEvent):
    type: ClassVar[str] = "label.updated"


@declared
@dataclass(frozen=True, slots=True)
class LabelDeleted(LabelEvent):
    type: ClassVar[str] = "label.deleted"


# --- people -------------------------------------------------------------------------------


@declared
@dataclass(frozen=True, slots=True)
class MemberUpdated(Event):
    """Someone's role on the board: facilitators only (who is who is not everyone's business)."""

    type: ClassVar[str] = "member.updated"
    reach: ClassVar[Reach] = Reach.FACILITATORS
    user_id: int
    name: str
    role: str

    @property
    def rights_changed_for(self) -> int | None:
        return self.user_id


# --- the brigade's sessions ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SlotEvent(Event):
    """A session changed. `slot` is `slot_document`: what anyone on the board may know (times,
    place, seats taken, the expert), never who booked or why; the people a session involves see
    their details in a rendering of their own."""

    refreshes: ClassVar[Refresh] = Refresh.SLOT
    personal: ClassVar[bool] = True
    slot: dict[str, Any]
    by: str

    @property
    def slot_id(self) -> int:
        return int(self.slot["id"])


@declared
@dataclass(frozen=True, slots=True)
class SlotCreated(SlotEvent):
    type: ClassVar[str] = "slot.created"
    refreshes: ClassVar[Refresh] = Refresh.SCHEDULE


@declared
@dataclass(frozen=True, slots=True)
class SlotClaimed(SlotEvent):
    type: ClassVar[str] = "slot.claimed"


@declared
@dataclass(frozen=True, slots=True)
class SlotReleased(SlotEvent):
    type: ClassVar[str] = "slot.released"


@declared
@dataclass(frozen=True, slots=True)
class SlotBooked(SlotEvent):
    """A seat was taken: for anyone but those involved, only that (the slot's seat count). Who
    took it is for the facilitators' history alone (DESIGN.md §2, confidentiality)."""

    type: ClassVar[str] = "slot.booked"
    facilitators_only: ClassVar[tuple[str, ...]] = ("by",)


@declared
@dataclass(frozen=True, slots=True)
class SlotCancelled(SlotEvent):
    """A booking or a session cancelled; who cancelled (it may be the participant) is for the
    facilitators alone, as for `SlotBooked`."""

    type: ClassVar[str] = "slot.cancelled"
    facilitators_only: ClassVar[tuple[str, ...]] = ("by",)


@declared
@dataclass(frozen=True, slots=True)
class SlotUpdated(SlotEvent):
    type: ClassVar[str] = "slot.updated"


SlotEventType = Literal[
    "slot.created", "slot.claimed", "slot.released", "slot.booked", "slot.cancelled", "slot.updated"
]


def slot_event(type: SlotEventType, slot: dict[str, Any], by: str) -> SlotEvent:
    """The declaration of a slot event named by its type (the brigade's services name them)."""
    cls = EVENT_TYPES[type]
    assert issubclass(cls, SlotEvent)
    return cls(slot=slot, by=by)
