"""Cards read whole as small read models, for what shows many at once (search results).

A search shows up to fifty cards with everything the card document holds. Loaded as ORM
instances (identity map, instrumented attributes, the labels' relationship in a second
statement with fifty bound parameters), they cost several times the search itself; read here
on the session's driver (`toolbox.db.all_rows`), with one parameter that holds every id (on
PostgreSQL in one statement, the labels as JSON in each card's row; on SQLite in two), they
cost about what the database does. Changes never decide on these:
they read the card under the board's lock (most load the `Card`; a move, its few columns).
The API's move answers with its card read here.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Integer, any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from toolbox.board.models import Card, Kind, Label, card_labels
from toolbox.db import all_rows


class LabelRecord(NamedTuple):
    id: int
    name: str
    colour: str


class CardRecord(NamedTuple):
    """A card as its document (`toolbox.board.documents.card_document`) and the card partial
    read it: the same names as `Card`'s."""

    id: int
    column_id: int
    title: str
    url: str | None
    description: str
    kind: Kind
    languages: list[str]
    audiences: list[str]
    source: str
    licence: str
    version: int
    useful: int
    archived_at: datetime | None
    created_at: datetime
    updated_at: datetime
    labels: tuple[LabelRecord, ...]


_FIELDS = [field for field in CardRecord._fields if field != "labels"]
#: A card's columns in `CardRecord`'s order, without its labels: what a query that reads the
#: cards itself (the search) selects first, then completes with `with_labels`.
CARD_COLUMNS = tuple(getattr(Card, field) for field in _FIELDS)


def one_of(
    column: ColumnElement[int] | InstrumentedAttribute[int], dialect: str, name: str = "ids"
) -> ColumnElement[bool]:
    """`column` is one of the numbers bound as `name` (`bound_numbers`): one parameter,
    whatever their count (an `IN` of fifty parameters is compiled anew for each count)."""
    if dialect == "sqlite":
        numbers = func.json_each(bindparam(name)).table_valued("value")
        return column.in_(select(numbers.c.value))
    return column == any_(bindparam(name, type_=ARRAY(Integer)))


def bound_numbers(dialect: str, numbers: Iterable[int]) -> str | list[int]:
    """The value of a `one_of` parameter: a JSON list for SQLite, an array for PostgreSQL."""
    return json.dumps(list(numbers)) if dialect == "sqlite" else list(numbers)


def labels_json() -> ColumnElement[Any]:
    """PostgreSQL: the card's labels in name order, as JSON `[[id, name, colour], …]` (or
    NULL), a column of the card's own row: for a statement that reads its cards itself, one
    round trip fewer than `with_labels`' second statement."""
    label = func.json_build_array(Label.id, Label.name, Label.colour)
    return (
        select(func.json_agg(aggregate_order_by(label, Label.name)))
        .select_from(card_labels.join(Label, Label.id == card_labels.c.label_id))
        .where(card_labels.c.card_id == Card.id)
        .scalar_subquery()
    )


def labelled(rows: Sequence[Sequence[Any]]) -> list[CardRecord]:
    """Rows that begin with `CARD_COLUMNS`, then `labels_json()`, as records."""
    width = len(_FIELDS)
    return [
        CardRecord._make([*row[:width], tuple(LabelRecord(*label) for label in row[width] or ())])
        for row in rows
    ]


def _statements(dialect: str) -> tuple[Any, Any]:
    columns = (*CARD_COLUMNS, labels_json()) if dialect == "postgresql" else CARD_COLUMNS
    cards = select(*columns).where(one_of(Card.id, dialect))
    labels = (
        select(card_labels.c.card_id, Label.id, Label.name, Label.colour)
        .join(Label, Label.id == card_labels.c.label_id)
        .where(one_of(card_labels.c.card_id, dialect))
        .order_by(Label.name)
    )
    return cards, labels


# Built once per database kind: building a statement costs more than running it.
_STATEMENTS = {dialect: _statements(dialect) for dialect in ("sqlite", "postgresql")}


async def card_records(session: AsyncSession, ids: Sequence[int]) -> dict[int, CardRecord]:
    """The cards of `ids` (those that exist), by id, with their labels in name order."""
    if not ids:
        return {}
    dialect = session.get_bind().dialect.name
    cards, _labels = _STATEMENTS[dialect]
    rows = await all_rows(session, cards, {"ids": bound_numbers(dialect, ids)})
    return {record.id: record for record in await as_records(session, rows)}


async def as_records(session: AsyncSession, rows: Sequence[Sequence[Any]]) -> list[CardRecord]:
    """Rows that begin with `CARD_COLUMNS` as records, in the same order, with their labels:
    on PostgreSQL the rows carry them (`labels_json()`); on SQLite, whose statements cost no
    round trip, they are read in a second statement (`with_labels`)."""
    if session.get_bind().dialect.name == "postgresql":
        return labelled(rows)
    return await with_labels(session, rows)


async def with_labels(session: AsyncSession, rows: Sequence[Sequence[Any]]) -> list[CardRecord]:
    """Rows that begin with `CARD_COLUMNS` as records, in the same order, each with its labels
    in name order (read in one statement)."""
    if not rows:
        return []
    dialect = session.get_bind().dialect.name
    _cards, labels = _STATEMENTS[dialect]
    parameters = {"ids": bound_numbers(dialect, (row[0] for row in rows))}
    by_card: dict[int, list[LabelRecord]] = defaultdict(list)
    for card_id, label_id, name, colour in await all_rows(session, labels, parameters):
        by_card[card_id].append(LabelRecord(label_id, name, colour))
    width = len(_FIELDS)
    return [CardRecord._make([*row[:width], tuple(by_card.get(row[0], ()))]) for row in rows]
