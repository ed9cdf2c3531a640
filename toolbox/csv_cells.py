"""Cells that a spreadsheet shows as text and never runs (CSV injection, OWASP's advice).

A cell beginning with `=`, `+`, `-` or `@` is read by Excel, LibreOffice and Google Sheets as a
formula, and a tab or carriage return before one hides it; a card's title or a participant's
need is anyone's text, so every exported cell that begins so gets a leading apostrophe, which
spreadsheets show as text. A cell that begins with an apostrophe before such a character gets one
more, so that `restore` gives back exactly what was exported: a board exported and imported
again keeps its cards as they were.
"""

from __future__ import annotations

from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _needs_quote(value: str) -> bool:
    rest = value.lstrip("'")
    return rest.startswith(FORMULA_STARTS)


def neutralise(value: str) -> str:
    """The cell as a spreadsheet shows it as text (an apostrophe before a formula's start)."""
    return "'" + value if _needs_quote(value) else value


def neutralised(values: Iterable[str]) -> list[str]:
    return [neutralise(value) for value in values]


def restore(value: str) -> str:
    """The cell as it was before `neutralise` (a file exported here and imported back)."""
    return value[1:] if value.startswith("'") and _needs_quote(value) else value
