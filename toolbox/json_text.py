"""JSON in and out, as every answer, live message and stored list uses it: compact, UTF-8.

orjson writes and reads the same JSON as the standard library's `json` with
`ensure_ascii=False, separators=(",", ":")` (the bytes are identical for every document the
app makes), at a fraction of the CPU: a search's fifty cards, a board's document and each live
message are encoded on every request or change, and the lists stored as JSON (languages,
audiences, labels) decoded on every read.

The standard library stays the fallback for the rare text orjson refuses and `json` accepts:
a string holding a lone surrogate (which an imported file may carry), an integer past 64 bits.
Such a document is then written by `json`, the surrogate escaped (`\\ud800`): valid JSON, never a
500.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

# A datetime or a dataclass refused as `json` refuses it: documents write their own times
# (isoformat) and fields, and one that forgot to must fail in the tests, not pass unnoticed.
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def dump_bytes(document: Any) -> bytes:
    """`document` as compact UTF-8 JSON."""
    try:
        return orjson.dumps(document, option=_OPTIONS)
    except orjson.JSONEncodeError:
        return _escaped(document).encode()


def dump_text(document: Any) -> str:
    """`document` as compact JSON text."""
    try:
        return orjson.dumps(document, option=_OPTIONS).decode()
    except orjson.JSONEncodeError:
        return _escaped(document)


def _escaped(document: Any) -> str:
    # ASCII: what is not UTF-8 (a lone surrogate) is written as its escape.
    return json.dumps(document, separators=(",", ":"))


def load(text: str | bytes) -> Any:
    """A JSON text's value (a `json.JSONDecodeError`, a `ValueError`, if it is not JSON)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)
