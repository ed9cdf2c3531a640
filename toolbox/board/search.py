"""Searching a board's resources: accent- and case-insensitive, French-aware, ranked.

The words are looked up in a full-text index kept by triggers in the transaction of every write
(migrations/versions/0101): SQLite FTS5 or a PostgreSQL tsvector, so a search reads the cards it
finds, not the board. Both indexes hold the same unstemmed, unaccented words; what makes "outils"
find "outil" is done here, once for both databases, on the words typed: the same light plural
rule, then a prefix match of each word ("strat" finds "stratégie" while it is being typed). Both
databases therefore find the same cards; they rank them with their own formula (bm25, ts_rank)
but the same weights: title 5, labels 3, body 1.

No library here: the index is the databases' own, and what is left is building a safe query from
words, a few lines that SQLAlchemy's `match()` would not do (it passes the text through raw).
SQLAlchemy-Searchable keeps tsvectors by triggers too, but for PostgreSQL only.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    FromClause,
    Select,
    String,
    bindparam,
    cast,
    column,
    func,
    literal_column,
    select,
    table,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from toolbox.board.access import BoardAccess
from toolbox.board.models import BoardColumn, Card, Label, card_labels
from toolbox.board.records import (
    CARD_COLUMNS,
    CardRecord,
    as_records,
    bound_numbers,
    labels_json,
    one_of,
)
from toolbox.db import all_rows
from toolbox.validation import DB_INT_MAX

# Elided articles and pronouns ("l'outil", "d’innovation") are not words to search for.
ELISION = re.compile(r"\b(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu)['’]")
# Letters and digits of any script: what FTS5's unicode61 and PostgreSQL's parser call a word.
# Everything else, FTS5's and tsquery's syntax included (`"`, `*`, `:`, `&`, `(`), separates
# words and never reaches the database as syntax.
WORD = re.compile(r"[^\W_]+")
# Ligatures are not accented letters, so accent folding keeps them; folded as PostgreSQL's
# unaccent and the SQLite index's triggers fold them ("cœur" and "coeur" are one word).
LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss"})
# Words so common in French and English that they would match everything.
STOP_WORDS = frozenset(
    {"le", "la", "les", "un", "une", "des", "de", "du", "et", "ou", "en", "au", "aux", "a"}
    | {"the", "of", "and", "or", "to", "in", "for", "on", "pour", "par", "sur"}
)
# A query of more words than this keeps its first ones: each word is one more index lookup, and
# no person types twenty words to find a card (500 characters of them must still answer quickly).
MAX_WORDS = 12
TITLE_WEIGHT, LABEL_WEIGHT, BODY_WEIGHT = 5, 3, 1
# The most cards one search shows: more than a person reads, few enough to answer in a few ms.
LIMIT = 50

#: A SELECT of any columns.
_Select = Select[*tuple[Any, ...]]

# The index tables (outside the models: see toolbox/schema.py).
_fts = table("card_search", column("rowid"))
_tsv = table("card_search", column("card_id"), column("board_id"), column("document"))


def fold(text: str) -> str:
    """Lowercase, without accents or elisions: "L’Économie" → "economie"."""
    text = ELISION.sub(" ", text.casefold()).translate(LIGATURES)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def stem(word: str) -> str:
    """A light plural stemmer for French and English: "outils" and "outil" meet (as a prefix)."""
    if len(word) > 3 and word.endswith(("s", "x")):
        return word[:-1]
    return word


def terms(text: str) -> list[str]:
    """The words to look for, folded and stemmed, each once, in the order typed."""
    words = (stem(w) for w in WORD.findall(fold(text)) if w not in STOP_WORDS)
    return list(dict.fromkeys(words))[:MAX_WORDS]


def fts5_query(words: Sequence[str]) -> str:
    """An FTS5 MATCH expression: every word, as a quoted string (so AND, NEAR or a `-` are plain
    text), matched as a prefix."""
    return " ".join('"' + word.replace('"', '""') + '"*' for word in words)


def tsquery(words: Sequence[str]) -> str:
    """A `to_tsquery` expression: every word quoted as a lexeme, matched as a prefix (`:*`)."""
    return " & ".join("'" + word.replace("'", "''").replace("\\", "") + "':*" for word in words)


#: How a board or its search results may be ordered (`?sort=`): "" is the board's own order,
#: or the best match first for a search; "newest" the latest added first; "useful" the most
#: marked useful first.
SORTS = ("", "newest", "useful")


@dataclass(frozen=True)
class SearchFilters:
    """What a search asks, from the address (`?q=&column=&label=&kind=&lang=&audience=&sort=`),
    so that a view of the board can be shared and bookmarked. Unknown values find nothing (an
    unknown order is the default one), never an error."""

    query: str = ""
    label: str = ""
    kind: str = ""
    language: str = ""
    sort: str = ""
    column: str = ""
    audience: str = ""

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> SearchFilters:
        """From a query string, cut to sensible lengths."""
        sort = params.get("sort", "")
        return cls(
            query=params.get("q", "")[:200],
            label=params.get("label", "")[:80],
            kind=params.get("kind", "")[:20],
            language=params.get("lang", "")[:20],
            sort=sort if sort in SORTS else "",
            column=params.get("column", "")[:12],
            audience=params.get("audience", "")[:80],
        )

    @property
    def active(self) -> bool:
        return bool(
            self.query.strip()
            or self.label
            or self.kind
            or self.language
            or self.column
            or self.audience
        )

    def as_query(self) -> str:
        """The address's query string of these filters ("" for none), as `from_query` reads it."""
        pairs = {
            "q": self.query,
            "column": self.column,
            "label": self.label,
            "kind": self.kind,
            "lang": self.language,
            "audience": self.audience,
            "sort": self.sort,
        }
        return urlencode({name: value for name, value in pairs.items() if value})

    @property
    def words(self) -> list[str]:
        """The words looked for, as the index is asked (for highlighting what was found)."""
        return terms(self.query)


def _wanted_postgres() -> ColumnElement[Any]:
    """The words bound as `match`, parsed once, in a CTE: the statement is prepared, and once
    PostgreSQL plans it for any value (a generic plan, after five runs) a `to_tsquery($1)`
    written in the condition and the rank is parsed again for every card found, twice."""
    parsed = func.to_tsquery(
        literal_column("'toolbox_search'::regconfig"), bindparam("match", type_=String)
    )
    wanted: ColumnElement[Any] = (
        select(parsed.label("query")).cte("wanted").prefix_with("MATERIALIZED").c.query
    )
    return wanted


def _rank_postgres(wanted: ColumnElement[Any]) -> ColumnElement[float]:
    """ts_rank with bm25's weights (D, C body, B labels, A title), negated to sort as bm25."""
    body, labels = BODY_WEIGHT / TITLE_WEIGHT, LABEL_WEIGHT / TITLE_WEIGHT
    array = f"'{{0, {body}, {labels}, 1}}'::float4[]"
    rank: ColumnElement[float] = func.ts_rank(literal_column(array), _tsv.c.document, wanted)
    return -rank


def _matching(query: _Select, dialect: str) -> tuple[_Select, ColumnElement[float]]:
    """`query` narrowed to the cards that hold every word of the bound `match` (`fts5_query`
    or `tsquery`), and their score: lower for a better match."""
    found: FromClause
    if dialect == "sqlite":
        # bm25 is lower for a better match; one weight per column of the FTS5 table, written in
        # the SQL (`all_rows` binds only the search's values).
        weights: list[ColumnElement[Any]] = [
            literal_column(str(weight)) for weight in (TITLE_WEIGHT, LABEL_WEIGHT, BODY_WEIGHT)
        ]
        score = func.bm25(literal_column("card_search"), *weights)
        matches = select(_fts.c.rowid.label("card_id"), score.label("score")).where(
            literal_column("card_search").op("MATCH")(bindparam("match"))
        )
        # Materialised: FTS5 computes bm25 only while it scans its matches, not later in a query
        # that also counts them (a window), where SQLite refuses it.
        found = matches.cte("found").prefix_with("MATERIALIZED")
    else:
        wanted = _wanted_postgres()
        matches = select(_tsv.c.card_id, _rank_postgres(wanted).label("score")).where(
            _tsv.c.board_id == bindparam("board_id"), _tsv.c.document.op("@@")(wanted)
        )
        # Not materialised: PostgreSQL then joins on the index's own estimates (a materialised
        # CTE of unknown size, on a board just restored and not yet analysed, is nested-looped).
        found = matches.subquery("found")
    return query.join(found, found.c.card_id == Card.id), found.c.score


_BOARD_ORDER = (BoardColumn.position, BoardColumn.id, Card.position, Card.id)
#: What an order other than the default puts first (then the rank, then the board's order).
_ORDERS: dict[str, tuple[ColumnElement[Any], ...]] = {
    "newest": (Card.created_at.desc(),),
    "useful": (Card.useful.desc(),),
}


async def _label_ids(session: AsyncSession, access: BoardAccess, name: str) -> list[int]:
    """The board's labels called `name`, whatever its case and accents (a board has a few)."""
    labels = await session.execute(
        select(Label.id, Label.name).where(Label.board_id == access.board.id)
    )
    return [label_id for label_id, label_name in labels if fold(label_name) == fold(name)]


@dataclass(frozen=True)
class SearchResults:
    """The best cards found (at most `limit`), and how many match in all."""

    cards: list[CardRecord]
    total: int

    @property
    def cut(self) -> bool:
        return self.total > len(self.cards)


def _holds(field: InstrumentedAttribute[list[str]], name: str, dialect: str) -> ColumnElement[bool]:
    """The card's JSON list `field` (languages, audiences) holds the value bound as `name`
    (for PostgreSQL, bound as a one-item list)."""
    if dialect == "sqlite":
        items = func.json_each(field).table_valued("value")
        return select(items.c.value).where(items.c.value == bindparam(name)).exists()
    return cast(field, JSONB).contains(bindparam(name, type_=JSONB))


def _best_ranked_postgres() -> _Select:
    """The search as it is typed (words, no filter, best first) on PostgreSQL: the board's
    matches ranked and counted in the index's own rows, and only the cards shown read whole.

    `_statement`'s general shape looks every match up in `cards` (its board, whether it is
    shown, its column's place) before choosing the best: one lookup per match, most of the
    time of a word that hundreds of cards hold. Here the index's rows carry their board
    (migrations/versions/0108), the few cards the board hides (archived, or in an archived
    column) are set aside by id, and the best `limit` are among those scored at most the
    `limit`-th best score (the edge): ties at that score are all read, so that the board's
    order among them still decides, exactly as `_statement` orders them."""
    wanted = _wanted_postgres()
    board_id: BindParameter[int] = bindparam("board_id")
    hidden = (
        select(Card.id)
        .where(Card.board_id == board_id, Card.archived_at.is_not(None))
        .union_all(
            select(Card.id)
            .join(BoardColumn, BoardColumn.id == Card.column_id)
            .where(BoardColumn.board_id == board_id, BoardColumn.archived_at.is_not(None))
        )
        .cte("hidden")
        .prefix_with("MATERIALIZED")
    )
    found = (
        select(_tsv.c.card_id, _rank_postgres(wanted).label("score"))
        .where(
            _tsv.c.board_id == board_id,
            _tsv.c.document.op("@@")(wanted),
            _tsv.c.card_id.not_in(select(hidden.c.id)),
        )
        # Materialised: scored once, then counted, cut at the edge and joined.
        .cte("found")
        .prefix_with("MATERIALIZED")
    )
    best_scores = (
        select(found.c.score).order_by(found.c.score).limit(bindparam("limit")).subquery("best")
    )
    edge = select(func.max(best_scores.c.score)).scalar_subquery()
    total = select(func.count()).select_from(found).scalar_subquery()
    return (
        select(*CARD_COLUMNS, labels_json(), total.label("total"))
        .select_from(found)
        .join(Card, Card.id == found.c.card_id)
        .join(BoardColumn, BoardColumn.id == Card.column_id)
        .where(found.c.score <= edge)
        .order_by(found.c.score, *_BOARD_ORDER)
        .limit(bindparam("limit"))
    )


@functools.lru_cache(maxsize=256)
def _statement(dialect: str, sort: str, filtered: frozenset[str], ranked: bool) -> _Select:
    """The search of one shape (which filters, which order, words or not), its values bound:
    built and compiled once, not at each search, where building it cost more than the database
    spent on a narrow query. Run by `all_rows`, on the session's driver.

    The best `limit` are chosen on their ids and order alone, with the count of the others (a
    window over the same scan), so that the sort carries narrow rows; the same statement then
    reads those cards whole (`CARD_COLUMNS`), in the same order."""
    if dialect == "postgresql" and ranked and not sort and not filtered:
        return _best_ranked_postgres()
    first = _ORDERS.get(sort, ())
    best = (
        select(
            Card.id,
            BoardColumn.position.label("column_position"),
            func.count().over().label("total"),
        )
        .join(BoardColumn, BoardColumn.id == Card.column_id)
        .where(
            Card.board_id == bindparam("board_id"),
            Card.archived_at.is_(None),
            BoardColumn.archived_at.is_(None),
        )
    )
    if "kind" in filtered:
        best = best.where(Card.kind == bindparam("kind"))
    if "language" in filtered:
        best = best.where(_holds(Card.languages, "language", dialect))
    if "audience" in filtered:
        best = best.where(_holds(Card.audiences, "audience", dialect))
    if "column_id" in filtered:
        best = best.where(Card.column_id == bindparam("column_id"))
    if "label_ids" in filtered:
        best = best.where(
            select(card_labels.c.card_id)
            .where(
                card_labels.c.card_id == Card.id,
                one_of(card_labels.c.label_id, dialect, "label_ids"),
            )
            .exists()
        )
    scores: tuple[ColumnElement[Any], ...] = ()
    if ranked:
        best, score = _matching(best, dialect)
        best, scores = best.add_columns(score.label("score")), (score,)
    chosen = (
        best.order_by(*first, *scores, *_BOARD_ORDER)
        .limit(bindparam("limit"))
        # Always 0, but named: SQLite's compiler writes an OFFSET after any LIMIT, and `all_rows`
        # binds only named values.
        .offset(bindparam("offset"))
        .subquery("best")
    )
    # The same order again on the chosen rows: `first` and the card's own keys on the card read,
    # the column's position and the score as chosen (the column's id is the card's column_id).
    again = (chosen.c.score,) if ranked else ()
    labels = (labels_json(),) if dialect == "postgresql" else ()
    return (
        select(*CARD_COLUMNS, *labels, chosen.c.total)
        .join(chosen, chosen.c.id == Card.id)
        .order_by(*first, *again, chosen.c.column_position, Card.column_id, Card.position, Card.id)
    )


async def search_cards(
    session: AsyncSession, access: BoardAccess, filters: SearchFilters, *, limit: int = LIMIT
) -> SearchResults:
    """The board's visible cards that match, best first (then in board order).

    Only the best `limit` are read: a word typed that most cards hold ("num") must not load the
    whole board (see `_statement`)."""
    dialect = session.get_bind().dialect.name
    values: dict[str, Any] = {"board_id": access.board.id, "limit": limit, "offset": 0}
    if filters.kind:
        values["kind"] = filters.kind
    if filters.language:
        values["language"] = _list_item(filters.language, dialect)
    if filters.audience:
        values["audience"] = _list_item(filters.audience, dialect)
    if filters.column:
        if not filters.column.isdigit() or int(filters.column) > DB_INT_MAX:
            return SearchResults([], 0)
        values["column_id"] = int(filters.column)
    if filters.label:
        label_ids = await _label_ids(session, access, filters.label)
        if not label_ids:
            return SearchResults([], 0)
        values["label_ids"] = bound_numbers(dialect, label_ids)
    words = terms(filters.query)
    if words:
        values["match"] = fts5_query(words) if dialect == "sqlite" else tsquery(words)
    filtered = frozenset(name for name in _FILTERS if name in values)
    statement = _statement(dialect, filters.sort, filtered, bool(words))
    rows = await all_rows(session, statement, values)
    if not rows:
        return SearchResults([], 0)
    return SearchResults(await as_records(session, rows), rows[0][-1])


#: The values whose presence changes the statement's shape (`label_ids` for `label`).
_FILTERS = ("kind", "language", "audience", "column_id", "label_ids")


def _list_item(value: str, dialect: str) -> str | list[str]:
    """The value of a `_holds` parameter: the text for SQLite, a one-item list for JSONB's @>."""
    return value if dialect == "sqlite" else [value]
