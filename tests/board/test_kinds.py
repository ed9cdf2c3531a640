"""The card kinds: one enum, each kind with its name for people, read by the pages."""

from __future__ import annotations

from toolbox import i18n
from toolbox.board.jinja import kind_name
from toolbox.board.models import Kind
from toolbox.board.schemas import CardIn


def test_each_kind_has_its_name_in_each_language() -> None:
    with i18n.use_locale("fr_CA"):
        french = {kind: kind.label for kind in Kind}
    with i18n.use_locale("en"):
        english = {kind: kind.label for kind in Kind}
        assert all(kind_name(kind.value) == kind.label for kind in Kind)
    assert english == {kind: kind.msgid for kind in Kind}
    assert french[Kind.tool] == "Outil" and french[Kind.glossary] == "Lexique"
    assert len(set(french.values())) == len(Kind) == len(set(english.values()))


def test_a_kind_is_its_value_and_the_api_schema_reads_the_enum() -> None:
    assert Kind("glossary") is Kind.glossary and Kind.glossary == "glossary"
    assert str(Kind.other) == "other" and Kind.other.value == "other"
    schema = CardIn.model_json_schema()
    assert schema["$defs"]["Kind"]["enum"] == [kind.value for kind in Kind]
