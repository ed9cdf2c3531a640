"""The words a search found, marked in the results: escaped around, accents and case ignored."""

from __future__ import annotations

from toolbox.board.highlight import highlight, snippet
from toolbox.board.search import terms


def test_found_words_are_marked_whole_from_their_start_whatever_their_accents() -> None:
    assert str(highlight("L’Économie des outils", terms("economie outil"))) == (
        "L’<mark>Économie</mark> des <mark>outils</mark>"
    )
    assert (
        str(highlight("Cœur et coeur", terms("coeur"))) == "<mark>Cœur</mark> et <mark>coeur</mark>"
    )
    # A word inside another is not where a word begins.
    assert str(highlight("Économie, macroéconomie", terms("eco"))) == (
        "<mark>Économie</mark>, macroéconomie"
    )


def test_everything_else_is_escaped_and_a_query_cannot_inject() -> None:
    title = '<script>alert("x")</script> Stratégie & <b>plan</b>'
    marked = str(highlight(title, terms('strat <script> "b"')))
    assert "<script>" not in marked and "<b>" not in marked
    assert marked.count("<mark>") == 5  # script twice, Stratégie, b twice: the words typed
    assert "&lt;<mark>script</mark>&gt;" in marked and "<mark>Stratégie</mark> &amp;" in marked
    assert str(highlight("<i>rien</i>", [])) == "&lt;i&gt;rien&lt;/i&gt;"


def test_a_snippet_starts_near_the_first_word_found() -> None:
    description = "Intro. " * 60 + "Une **économie** du partage, <em>enfin</em>."
    shown = str(snippet(description, terms("économie")))
    assert shown.startswith("…") and "<mark>économie</mark> du partage" in shown
    assert "<em>" not in shown and len(shown) < 300
