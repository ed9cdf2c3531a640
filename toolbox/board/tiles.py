"""The cards as the board page shows them: small read models from two Core reads.

A board page shows each card's title, kind, languages and labels, hundreds of times: loading
them as ORM instances (identity map, attribute instrumentation, the labels' relationship) was
about half of an uncached render. Changes never go through these; they load the `Card`.
"""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from cachetools import LRUCache
from sqlalchemy import String, bindparam, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from toolbox.board.models import Board, BoardColumn, Card, Kind, Label, card_labels
from toolbox.board.records import bound_numbers, one_of
from toolbox.db import all_rows
from toolbox.events.log import board_seq
from toolbox.events.models import BoardEvent
from toolbox.events.types import Refresh, parse


# Named tuples rather than dataclasses: a card's HTML is kept under its tile, and a tuple's
# hash and equality run in C, where a dataclass's run Python code per field.
class LabelTile(NamedTuple):
    name: str
    colour: str


class ColumnTile(NamedTuple):
    """What the board page reads of a column (`templates/board/_column.html`)."""

    id: int
    title: str
    description: str


class CardTile(NamedTuple):
    """What `templates/board/_card.html` reads of a card, and nothing else: hashable, as the
    card's HTML is kept under it (`toolbox.board.jinja.card_html`)."""

    id: int
    column_id: int
    title: str
    kind: Kind
    languages: tuple[str, ...]
    labels: tuple[LabelTile, ...]
    #: How many people marked it useful (part of the key its HTML is kept under).
    useful: int
    audiences: tuple[str, ...]


# Built once per database kind: building a statement costs more than running it. The kind and
# the languages come as the text stored (`type_coerce`): their columns' own conversions (an
# Enum's check, a JSON parse) ran once per card and were most of the read; here each distinct
# value is converted once (`_KINDS`, `_languages`), and a board has a handful of them. Each
# read is of the whole board, or of some of its columns only (`columns`, see `card_tiles`).
def _statements(dialect: str, some_columns: bool) -> tuple[Any, Any]:
    # With each card, the board's seq as this statement sees it: see `board_tiles`.
    seq = select(Board.seq).where(Board.id == bindparam("board_id")).scalar_subquery()
    tiles = select(
        seq,
        Card.id,
        Card.column_id,
        Card.title,
        type_coerce(Card.kind, String),
        type_coerce(Card.languages, String),
        Card.useful,
        type_coerce(Card.audiences, String),
    )
    # Which card has which label, the label itself with it (a board has a few, shared by
    # hundreds of cards: each is made into a tile once, `_read`).
    card_label_rows = select(card_labels.c.card_id, Label.id, Label.name, Label.colour)
    if some_columns:
        # Found by their columns' index, not by board: the columns are the board's already,
        # and SQLite, left to choose, walked the whole board's cards and labels.
        in_columns = one_of(Card.column_id, dialect, "columns")
        tiles = tiles.where(in_columns)
        card_label_rows = (
            card_label_rows.select_from(Card)
            .join(card_labels, card_labels.c.card_id == Card.id)
            .join(Label, Label.id == card_labels.c.label_id)
            .where(in_columns)
        )
    else:
        tiles = tiles.where(Card.board_id == bindparam("board_id"))
        card_label_rows = card_label_rows.join(Label, Label.id == card_labels.c.label_id).where(
            Label.board_id == bindparam("board_id")
        )
    tiles = tiles.where(Card.archived_at.is_(None)).order_by(Card.position, Card.id)
    return tiles, card_label_rows.order_by(Label.name)


_STATEMENTS = {
    (dialect, some): _statements(dialect, some)
    for dialect in ("sqlite", "postgresql")
    for some in (False, True)
}
_COLUMNS = (
    select(BoardColumn.id, BoardColumn.title, BoardColumn.description)
    .where(BoardColumn.board_id == bindparam("board_id"), BoardColumn.archived_at.is_(None))
    .order_by(BoardColumn.position, BoardColumn.id)
)
# What each change since the tiles were kept was (its declaration says which columns it touched).
_CHANGES = (
    select(BoardEvent.type, BoardEvent.data)
    .where(
        BoardEvent.board_id == bindparam("board_id"),
        BoardEvent.seq > bindparam("since"),
        BoardEvent.seq <= bindparam("until"),
    )
    .order_by(BoardEvent.seq)
)
_KINDS = {kind.name: kind for kind in Kind}
#: Boards whose tiles are kept, per process, to be brought up to date column by column.
KEPT_BOARDS = 64
#: Further behind than this many changes, the whole board is read again.
MAX_CHANGES = 50
# What a change can do to the tiles, by what its declaration says it refreshes: NOTHING, SLOT,
# SCHEDULE and SUGGESTIONS leave them be; COLUMNS and CARD change the columns the event names;
# anything else (WHOLE_BOARD: a label renamed, an import, a column archived) means the whole board.
_UNTOUCHED = frozenset({Refresh.NOTHING, Refresh.SLOT, Refresh.SCHEDULE, Refresh.SUGGESTIONS})
_IN_COLUMNS = frozenset({Refresh.COLUMNS, Refresh.CARD})


def _languages(stored: str | list[str] | None) -> tuple[str, ...]:
    # asyncpg hands a JSON column over decoded; SQLite as its text.
    if isinstance(stored, list):
        return tuple(stored)
    return _parsed_languages(stored) if stored else ()


@functools.lru_cache(maxsize=1024)
def _parsed_languages(stored: str) -> tuple[str, ...]:
    return tuple(json.loads(stored))


@dataclass(frozen=True, slots=True)
class _KeptTiles:
    seq: int
    tiles: BoardTiles


# Keyed by the database too (one process may serve several: the tests do), and by when the
# board was made (SQLite may give a new board the id of one deleted).
_kept: LRUCache[tuple[str, int, datetime], _KeptTiles] = LRUCache(maxsize=KEPT_BOARDS)


def forget_kept_tiles() -> None:
    """Read every board whole next time (a benchmark's cold render, a test's comparison)."""
    _kept.clear()


class BoardTiles(NamedTuple):
    """A board as its page shows it: its open columns, and their cards by column."""

    columns: list[ColumnTile]
    cards: dict[int, list[CardTile]]


async def board_tiles(session: AsyncSession, board: Board) -> BoardTiles:
    """The board's open columns in board order (as `services.board_columns`), and its open
    cards grouped by column, each group in board order (as `services.cards_by_column`), with
    their labels in name order. Not to be changed: the same lists may be handed to the next
    reader.

    A change touches a column or two: the tiles of the board as last read here are brought up
    to date from the event log, which says which columns each change touched (the events'
    declarations, as the live updates read them), and only those columns are read again; the
    columns themselves only if a change was not a card's."""
    bind = session.get_bind()
    dialect, key = bind.dialect.name, (str(bind.engine.url), board.id, board.created_at)
    kept = _kept.get(key)
    if kept is not None and kept.seq == board.seq:
        return kept.tiles
    changes = None
    if kept is not None and 0 < board.seq - kept.seq <= MAX_CHANGES:
        changes = await _changes(session, board, kept.seq)
    if kept is not None and changes is not None and not changes.columns_list:
        columns = kept.tiles.columns
    else:
        columns = await _read_columns(session, board.id)
    if kept is not None and changes is not None and changes.cards_in is not None:
        grouped = {c: t for c, t in kept.tiles.cards.items() if c not in changes.cards_in}
        read, seq = await _read(session, board.id, dialect, changes.cards_in)
        grouped.update(read)
    else:
        grouped, seq = await _read(session, board.id, dialect, None)
    tiles = BoardTiles(columns, grouped)
    # What was read belongs to `board.seq` only if no change came in meanwhile: on PostgreSQL
    # each statement sees what was committed when it began (SQLite reads one snapshot). Every
    # change moves the seq on, so the last statement's seeing `board.seq` still (or, with no
    # card to carry it, a read of its own) vouches for the ones before.
    if seq is None and dialect != "sqlite":
        seq = await board_seq(session, board.id)
    if dialect == "sqlite" or seq == board.seq:
        _kept[key] = _KeptTiles(board.seq, tiles)
    return tiles


async def card_tiles(session: AsyncSession, board: Board) -> dict[int, list[CardTile]]:
    """The board's open cards by column, as `board_tiles` gives them."""
    return (await board_tiles(session, board)).cards


async def _read_columns(session: AsyncSession, board_id: int) -> list[ColumnTile]:
    return [ColumnTile(*row) for row in await all_rows(session, _COLUMNS, {"board_id": board_id})]


class _Changes(NamedTuple):
    #: The columns whose cards changed, or None if the whole board's may have.
    cards_in: set[int] | None
    #: Whether the columns themselves may have changed (a change that was not a card's).
    columns_list: bool


async def _changes(session: AsyncSession, board: Board, since: int) -> _Changes | None:
    """What changed from `since` to `board.seq`, as the event log says; None if it does not."""
    columns: set[int] | None = set()
    columns_list = False
    parameters = {"board_id": board.id, "since": since, "until": board.seq}
    for event_type, data in await all_rows(session, _CHANGES, parameters):
        event = parse(event_type, data)
        if event is None:
            return None
        if event.refreshes in _UNTOUCHED:
            continue
        # A card's change ("card.*") moves cards about, never the columns themselves.
        columns_list = columns_list or not event.type.startswith("card.")
        if event.refreshes not in _IN_COLUMNS or not event.column_ids:
            columns = None
        elif columns is not None:
            columns |= event.column_ids
    return _Changes(columns, columns_list)


async def _read(
    session: AsyncSession, board_id: int, dialect: str, columns: set[int] | None
) -> tuple[dict[int, list[CardTile]], int | None]:
    """The tiles of the board, or of `columns` only (each of them present, empty or not), and
    the board's seq as the read saw it (None if it found no card)."""
    tiles, card_label_rows = _STATEMENTS[dialect, columns is not None]
    parameters: dict[str, Any] = {"board_id": board_id}
    grouped: dict[int, list[CardTile]] = {}
    if columns is not None:
        parameters["columns"] = bound_numbers(dialect, columns)
        grouped = {column: [] for column in columns}
    board_labels: dict[int, LabelTile] = {}
    label_ids: dict[int, list[int]] = defaultdict(list)
    for card_id, label_id, name, colour in await all_rows(session, card_label_rows, parameters):
        if label_id not in board_labels:
            board_labels[label_id] = LabelTile(name, colour)
        label_ids[card_id].append(label_id)
    # Cards share a few sets of labels: each set made once, one tuple for all its cards.
    label_sets: dict[tuple[int, ...], tuple[LabelTile, ...]] = {(): ()}
    rows = await all_rows(session, tiles, parameters)
    for _seq, card_id, column_id, title, kind, languages, useful, audiences in rows:
        ids = tuple(label_ids.get(card_id, ()))
        found = label_sets.get(ids)
        if found is None:
            found = label_sets[ids] = tuple(board_labels[i] for i in ids)
        tile = CardTile(
            card_id,
            column_id,
            title,
            _KINDS[kind],
            _languages(languages),
            found,
            useful,
            _languages(audiences),  # a JSON list of words too
        )
        grouped.setdefault(column_id, []).append(tile)
    return grouped, (rows[0][0] if rows else None)


class Facets(NamedTuple):
    """What a board's filters offer: the labels, languages and audiences of its cards."""

    labels: list[str]
    languages: list[str]
    audiences: list[str]


class _ColumnFacets(NamedTuple):
    cards: list[CardTile]  # held, so that its id is not another list's while kept
    labels: frozenset[str]
    languages: frozenset[str]
    audiences: frozenset[str]


# By the identity of a column's list of tiles: a change reads a column or two again, and the
# others' lists are the same objects from one `board_tiles` to the next.
_column_facets: LRUCache[int, _ColumnFacets] = LRUCache(maxsize=4096)


def facets(cards: dict[int, list[CardTile]]) -> Facets:
    """The labels, languages and audiences of the cards, each sorted, as the filters offer them.
    Gathered column by column, each column once for as long as its list of tiles is kept."""
    labels: set[str] = set()
    languages: set[str] = set()
    audiences: set[str] = set()
    for tiles in cards.values():
        found = _column_facets.get(id(tiles))
        if found is None or found.cards is not tiles:
            found = _column_facets[id(tiles)] = _ColumnFacets(
                tiles,
                frozenset(label.name for tile in tiles for label in tile.labels),
                frozenset(code for tile in tiles for code in tile.languages),
                frozenset(name for tile in tiles for name in tile.audiences),
            )
        labels |= found.labels
        languages |= found.languages
        audiences |= found.audiences
    return Facets(sorted(labels), sorted(languages), sorted(audiences))


def ordered(grouped: dict[int, list[CardTile]], order: str) -> dict[int, list[CardTile]]:
    """The tiles in the board's order (as read, shared: not changed here), or in new lists the
    most useful first (`order="useful"`) or the newest first (`"newest"`); stable, so the
    board's order among equals."""
    if order == "useful":
        return {c: sorted(tiles, key=lambda tile: -tile.useful) for c, tiles in grouped.items()}
    if order == "newest":  # ids grow as cards are added
        return {c: sorted(tiles, key=lambda tile: -tile.id) for c, tiles in grouped.items()}
    return grouped
