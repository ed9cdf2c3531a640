"""The words a search found, marked in what the results show (`<mark>`), the rest escaped.

The index matches words that begin with a word typed, whatever their accents and case; the
marks follow the same rule on the text as written: each character is folded on its own (so a
match maps back to the characters shown), and a word is marked whole from its start.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from markupsafe import Markup, escape

from toolbox.board.markdown import plain_text
from toolbox.board.search import LIGATURES

MARK_OPEN, MARK_CLOSE = Markup("<mark>"), Markup("</mark>")


def _fold_char(character: str) -> str:
    decomposed = unicodedata.normalize("NFKD", character.casefold().translate(LIGATURES))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _found(text: str, words: Sequence[str]) -> list[tuple[int, int]]:
    """The (start, end) in `text` of each word that begins with one of `words`."""
    folded: list[str] = []
    origin: list[int] = []  # the index in `text` of each folded character
    for index, character in enumerate(text):
        for folded_character in _fold_char(character):
            folded.append(folded_character)
            origin.append(index)
    alternatives = "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))
    pattern = re.compile(rf"(?<![^\W_])(?:{alternatives})[^\W_]*")
    spans: list[tuple[int, int]] = []
    for match in pattern.finditer("".join(folded)):
        start, end = origin[match.start()], origin[match.end() - 1] + 1
        if not spans or start >= spans[-1][1]:
            spans.append((start, end))
    return spans


def highlight(text: str, words: Sequence[str]) -> Markup:
    """`text`, escaped, with each word that begins with one of `words` (folded, as
    `search.terms` gives them) inside `<mark>`."""
    if not words or not text:
        return escape(text)
    parts: list[Markup] = []
    shown = 0
    for start, end in _found(text, words):
        parts += [escape(text[shown:start]), MARK_OPEN, escape(text[start:end]), MARK_CLOSE]
        shown = end
    parts.append(escape(text[shown:]))
    return Markup("").join(parts)


def snippet(description: str, words: Sequence[str], length: int = 220) -> Markup:
    """A description's plain text, from a little before its first found word, highlighted."""
    text = plain_text(description, limit=10_000)
    spans = _found(text, words) if words else []
    if not spans or len(text) <= length:
        return highlight(plain_text(description, limit=length), words)
    start = max(0, spans[0][0] - 40)
    window = text[start : start + length]
    prefix = "…" if start else ""
    suffix = "…" if start + length < len(text) else ""
    return escape(prefix) + highlight(window, words) + escape(suffix)
