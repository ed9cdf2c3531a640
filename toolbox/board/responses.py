"""What the board's API answers, as pydantic models: the OpenAPI document's response schemas.

The documents themselves are built as plain dicts in `toolbox.board.documents` (the events carry
them too); these models describe them, and the schemathesis test checks every answer against them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from toolbox.board.models import Kind, Visibility


class Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LabelOut(Closed):
    id: int
    name: str
    colour: str


class CardOut(Closed):
    id: int
    column_id: int
    title: str
    url: str | None
    description: str
    kind: Kind
    languages: list[str]
    audiences: list[str]
    labels: list[LabelOut]
    source: str
    licence: str
    version: int
    #: How many people marked it useful (never who).
    useful: int
    archived: bool
    created_at: str
    updated_at: str


class ColumnOut(Closed):
    id: int
    title: str
    description: str
    colour: str | None
    archived: bool


class ColumnWithCards(ColumnOut):
    cards: list[CardOut]


class BoardOut(Closed):
    slug: str
    title: str
    description: str
    visibility: Visibility
    timezone: str
    seq: int


class BoardList(Closed):
    boards: list[BoardOut]


class BoardWithColumns(BoardOut):
    columns: list[ColumnWithCards]


class SearchResults(Closed):
    #: The best matches, ranked; at most `toolbox.board.search.LIMIT` of them.
    results: list[CardOut]
    #: How many cards match in all (more than `results` holds when there are many).
    total: int


class EventOut(Closed):
    seq: int
    type: str
    at: str
    data: dict[str, Any]


class EventsPage(Closed):
    seq: int
    events: list[EventOut]
    more: bool


class FavouriteState(Closed):
    card_id: int
    favourite: bool


class UsefulState(Closed):
    card_id: int
    #: The caller's own mark.
    marked: bool
    #: The card's count, everyone's marks.
    useful: int


class Favourite(Closed):
    board: str
    card: CardOut


class FavouriteList(Closed):
    favourites: list[Favourite]


class SuggestionOut(Closed):
    id: int
    board: str
    title: str
    url: str | None
    why: str
    #: pending, accepted (with `card_id`) or declined (with `reason`)
    status: str
    card_id: int | None
    reason: str | None
    #: A card of the board already has this link (while pending).
    already_on_board: bool
    proposer: str
    created_at: str
    decided_at: str | None


class SuggestionList(Closed):
    suggestions: list[SuggestionOut]
    #: How many of the board's suggestions wait (for facilitators; one's own otherwise).
    pending: int
