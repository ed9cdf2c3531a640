"""Searching a board's resources: accent- and case-insensitive, French-aware, ranked.

A board holds hundreds of cards, not millions, so the search reads them and ranks in Python: the
same results on SQLite and PostgreSQL, with no extension to install.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from toolbox.board.access import BoardAccess
from toolbox.board.models import Card
from toolbox.board.services import board_columns, cards_by_column

# Elided articles and pronouns ("l'outil", "d’innovation") are not words to search for.
ELISION = re.compile(r"\b(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu)['’]")
WORD = re.compile(r"[a-z0-9]+")
# Words so common in French and English that they would match everything.
STOP_WORDS = frozenset(
    [
        "le",
        "la",
        "les",
        "un",
        "une",
        "des",
        "de",
        "du",
        "et",
        "ou",
        "en",
        "au",
        "aux",
        "a",
        "the",
        "of",
        "and",
        "or",
        "to",
        "in",
        "for",
        "on",
        "pour",
        "par",
        "sur",
    ]
)
TITLE_WEIGHT, LABEL_WEIGHT, BODY_WEIGHT = 5, 3, 1


def fold(text: str) -> str:
    """Lowercase, without accents or elisions: "L’Économie" → "economie"."""
    text = ELISION.sub(" ", text.casefold())
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def stem(word: str) -> str:
    """A light plural stemmer for French and English: "outils" and "outil" meet."""
    if len(word) > 3 and word.endswith(("s", "x")):
        return word[:-1]
    return word


def terms(text: str) -> list[str]:
    return [stem(w) for w in WORD.findall(fold(text)) if w not in STOP_WORDS]


@dataclass(frozen=True)
class SearchFilters:
    query: str = ""
    label: str = ""
    kind: str = ""
    language: str = ""

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> SearchFilters:
        """From a query string (`q`, `label`, `kind`, `lang`), cut to sensible lengths."""
        return cls(
            query=params.get("q", "")[:200],
            label=params.get("label", "")[:80],
            kind=params.get("kind", "")[:20],
            language=params.get("lang", "")[:20],
        )

    @property
    def active(self) -> bool:
        return bool(self.query.strip() or self.label or self.kind or self.language)


def _score(card: Card, wanted: list[str]) -> int:
    fields = (
        (terms(card.title), TITLE_WEIGHT),
        (terms(" ".join(label.name for label in card.labels)), LABEL_WEIGHT),
        (terms(" ".join([card.description, card.source, *(card.audiences or [])])), BODY_WEIGHT),
    )
    total = 0
    for term in wanted:
        best = 0
        for words, weight in fields:
            if any(word == term for word in words):
                best = max(best, weight * 2)
            elif any(word.startswith(term) for word in words):
                best = max(best, weight)
        if best == 0:
            return 0  # every term must match somewhere
        total += best
    return total


def matches_filters(card: Card, filters: SearchFilters) -> bool:
    if filters.kind and card.kind.value != filters.kind:
        return False
    if filters.language and filters.language not in (card.languages or []):
        return False
    return not filters.label or any(
        fold(label.name) == fold(filters.label) for label in card.labels
    )


async def search_cards(
    session: AsyncSession, access: BoardAccess, filters: SearchFilters
) -> list[Card]:
    """The board's visible cards that match, best first (then in board order)."""
    columns = await board_columns(session, access.board)
    grouped = await cards_by_column(session, access.board)
    in_order = [card for column in columns for card in grouped.get(column.id, [])]
    wanted = terms(filters.query)
    ranked: list[tuple[int, int, Card]] = []
    for rank, card in enumerate(in_order):
        if not matches_filters(card, filters):
            continue
        score = _score(card, wanted) if wanted else 1
        if score:
            ranked.append((-score, rank, card))
    ranked.sort(key=lambda item: (item[0], item[1]))
    return [card for _score_, _rank, card in ranked]
