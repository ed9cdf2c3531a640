"""JSON out and in (toolbox/json_text.py): the bytes the standard library wrote, and no 500 on
what orjson refuses."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from toolbox import json_text
from toolbox.board.models import Kind

DOCUMENTS = [
    {"results": [], "total": 0},
    {"title": "Stratégie numérique — « Cœur » 🎭", "labels": [[1, "Accès", "#2a7"]], "n": None},
    {"seq": 12, "move": {"card": 3, "order": [3, 1, 2]}, "say": "Carte déplacée", "ok": True},
    {"float": 0.1, "big": 2**62, "nested": {"a": [{"b": ["c", {"d": False}]}]}},
    ["<script>&</script>", "\u2028\u2029", "tab\there", 'quote " back \\ slash'],
]


@pytest.mark.parametrize("document", DOCUMENTS)
def test_the_same_bytes_as_the_standard_library_compact_and_unescaped(document: object) -> None:
    expected = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    assert json_text.dump_text(document) == expected
    assert json_text.dump_bytes(document) == expected.encode()
    assert json_text.load(expected) == document
    assert json_text.load(expected.encode()) == document


def test_an_enum_is_written_as_its_value() -> None:
    assert json_text.dump_text({"kind": Kind.tool}) == '{"kind":"tool"}'


@pytest.mark.parametrize("document", [{"title": "a\ud800b"}, {"n": 2**70}])
def test_what_orjson_refuses_is_written_by_the_standard_library_as_valid_json(
    document: dict[str, object],
) -> None:
    body = json_text.dump_bytes(document)
    body.decode("utf-8")  # valid UTF-8: the surrogate is escaped, not written raw
    assert json.loads(body) == document
    assert json_text.load(json_text.dump_text(document)) == document


def test_a_stored_lone_surrogate_is_read_back() -> None:
    # As the standard library stored it before orjson (ensure_ascii's escape).
    assert json_text.load('["fr", "a\\ud800"]') == ["fr", "a\ud800"]


def test_what_is_not_json_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        json_text.load("{nope")


def test_a_datetime_orjson_would_write_is_refused_as_the_standard_library_does() -> None:
    # Documents write their times with isoformat(); a raw datetime is a bug to see, not hide.
    with pytest.raises(TypeError):
        json_text.dump_text({"at": datetime.now(UTC)})
