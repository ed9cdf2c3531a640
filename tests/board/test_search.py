"""Search on the full-text index, the same cases on SQLite and PostgreSQL.

Each case names the cards it must find; as every test here runs on both databases (the `session`
fixture, tests/transactions.py), both find the same cards. The first card is asserted too where
the ranking leaves no doubt (the word in one title, elsewhere only in a body).
"""

from __future__ import annotations

import pytest
from sqlalchemy import bindparam, delete, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.accounts.builders import new_person
from tests.board.builders import access_of, new_board, new_card, new_column
from toolbox.accounts.models import User
from toolbox.board.cards import archive_card, restore_card, update_card
from toolbox.board.marks import set_useful
from toolbox.board.models import Board, BoardColumn, Card, Kind, Label
from toolbox.board.schemas import CardPatch
from toolbox.board.search import (
    WORD,
    SearchFilters,
    fold,
    fts5_query,
    search_cards,
    terms,
    tsquery,
)
from toolbox.board.services import archive_column
from toolbox.demo import write_demo

CARDS = {
    "economie": {
        "title": "Économie sociale et solidaire",
        "description": "Un guide pour les coopératives.",
        "kind": Kind.guide,
        "languages": ["fr"],
        "labels": ["Financement"],
    },
    "outils": {
        "title": "Boîte à outils numériques",
        "description": "Des outils libres pour les organismes.",
        "kind": Kind.tool,
        "languages": ["fr", "en"],
        "labels": ["Numérique"],
    },
    "evaluation": {
        "title": "Grille d’évaluation",
        "description": "Une évaluation des projets, pas à pas.",
        "kind": Kind.template,
        "languages": ["fr"],
    },
    "strategie": {
        "title": "Stratégie de communication",
        "description": "Plan and strategy for small organisations.",
        "kind": Kind.guide,
        "languages": ["en"],
        "audiences": ["Élèves"],
    },
    "body_only": {
        "title": "Répertoire régional",
        "description": "Mentionne l’économie du partage et un outil de suivi.",
        "kind": Kind.organisation,
        "source": "Réseau des cœurs",
    },
    "label_only": {
        "title": "Webinaire d’automne",
        "description": "Enregistrement.",
        "kind": Kind.video,
        "labels": ["Économie"],
    },
}


async def a_searchable_board(
    session: AsyncSession,
) -> tuple[Board, User, BoardColumn, dict[str, Card]]:
    facilitator = await new_person(session)
    board = await new_board(session, facilitator=facilitator)
    column = await new_column(session, board, facilitator, "Ressources")
    cards = {}
    for key, fields in CARDS.items():
        cards[key] = await new_card(session, board, column, facilitator, **fields)
    return board, facilitator, column, cards


async def found(
    session: AsyncSession, board: Board, cards: dict[str, Card], **params: str
) -> list[str]:
    """The keys of the cards the search finds, best first."""
    keys = {card.id: key for key, card in cards.items()}
    filters = SearchFilters.from_query(params)
    results = await search_cards(session, await access_of(session, board, None), filters)
    assert results.total == len(results.cards)
    return [keys.get(card.id, f"other:{card.title}") for card in results.cards]


CASES = [
    # accents and case, both ways
    ("economie", {"economie", "body_only", "label_only"}),
    ("ÉCONOMIE", {"economie", "body_only", "label_only"}),
    ("économie solidaire", {"economie"}),
    # plurals, French and English, both ways
    ("outils", {"outils", "body_only"}),
    ("outil", {"outils", "body_only"}),
    ("évaluations", {"evaluation"}),
    ("strategies", {"strategie"}),
    # a prefix, as it is being typed
    ("strat", {"strategie"}),
    ("num", {"outils"}),
    ("ré", {"body_only"}),
    # elisions, ligatures, stop words, the audiences and source in the body
    ("l’évaluation", {"evaluation"}),
    ("coeurs", {"body_only"}),
    ("cœur", {"body_only"}),
    ("élève", {"strategie"}),
    ("les outils de la boîte", {"outils"}),
    # nothing
    ("introuvable", set()),
    ("économie introuvable", set()),
]


@pytest.mark.parametrize(("query", "expected"), CASES)
async def test_the_same_cards_are_found_on_both_databases(
    session: AsyncSession, query: str, expected: set[str]
) -> None:
    board, _facilitator, _column, cards = await a_searchable_board(session)
    assert set(await found(session, board, cards, q=query)) == expected


async def test_a_title_ranks_above_a_label_above_a_body(session: AsyncSession) -> None:
    board, _facilitator, _column, cards = await a_searchable_board(session)
    assert await found(session, board, cards, q="economie") == [
        "economie",
        "label_only",
        "body_only",
    ]
    assert (await found(session, board, cards, q="outil"))[0] == "outils"


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"économie',
        "économie*",
        "*",
        "(outils",
        "outils)",
        "-outils",
        "outils:",
        "outils:",
        "{outils}",
        "^outils",
        "outils NEAR économie",
        "NEAR(outils économie)",
        "outils AND",
        "OR outils",
        "NOT",
        "outils & | ! <-> ' \\ :* ;",
        "'outils'",
        "%_%",
        "\x00outils",
    ],
)
async def test_search_syntax_typed_is_plain_text(session: AsyncSession, query: str) -> None:
    board, _facilitator, _column, cards = await a_searchable_board(session)
    result = set(await found(session, board, cards, q=query))
    if "outils" in query and "économie" in query:
        assert result == set()  # no card holds both words
    elif "outils" in query:
        assert result == {"outils", "body_only"}


async def test_a_long_query_answers_without_error(session: AsyncSession) -> None:
    board, _facilitator, _column, cards = await a_searchable_board(session)
    assert await found(session, board, cards, q="outils " * 72) == ["outils", "body_only"]
    noise = "économie solidaire coopératives guide " * 13 + "x" * 10
    assert len(noise) >= 500
    assert await found(session, board, cards, q=noise) == ["economie"]  # each word once
    words = " ".join(f"mot{n}" for n in range(100))
    assert await found(session, board, cards, q=words) == []


async def test_filters_combine_with_the_words(session: AsyncSession) -> None:
    board, _facilitator, _column, cards = await a_searchable_board(session)
    assert set(await found(session, board, cards, q="economie", kind="guide")) == {"economie"}
    assert await found(session, board, cards, label="ECONOMIE") == ["label_only"]
    assert await found(session, board, cards, q="outil", label="numerique") == ["outils"]
    assert await found(session, board, cards, q="outil", lang="en") == ["outils"]
    assert await found(session, board, cards, lang="en") == ["outils", "strategie"]
    assert await found(session, board, cards, label="absent") == []
    assert await found(session, board, cards, kind="nonsense") == []
    assert await found(session, board, cards, audience="Élèves") == ["strategie"]
    assert await found(session, board, cards, q="plan", audience="Élèves", lang="en") == [
        "strategie"
    ]
    assert await found(session, board, cards, audience="nobody") == []


async def test_searches_of_one_shape_each_get_their_own_values(session: AsyncSession) -> None:
    """A search's statement is built once per shape (which filters, which order) and its values
    bound: the same shape asked again with other values finds other cards, on another board
    too."""
    board, _facilitator, _column, cards = await a_searchable_board(session)
    assert set(await found(session, board, cards, q="outil", kind="tool")) == {"outils"}
    assert set(await found(session, board, cards, q="economie", kind="guide")) == {"economie"}
    assert await found(session, board, cards, q="plan", label="numerique") == []
    assert await found(session, board, cards, q="outil", label="numerique") == ["outils"]
    assert await found(session, board, cards, audience="Élèves", lang="fr") == []
    assert await found(session, board, cards, audience="Élèves", lang="en") == ["strategie"]
    other, _facilitator, _column, others = await a_searchable_board(session)
    assert await found(session, other, others, q="webinaire") == ["label_only"]
    assert await found(session, board, cards, q="webinaire") == ["label_only"]
    assert cards["label_only"].id != others["label_only"].id


async def test_the_column_filter_and_the_orders(session: AsyncSession) -> None:
    board, facilitator, column, cards = await a_searchable_board(session)
    other = await new_column(session, board, facilitator, "Autres")
    extra = await new_card(session, board, other, facilitator, title="Outil de plus")
    assert await found(session, board, cards, q="outil", column=str(other.id)) == [
        "other:Outil de plus"
    ]
    assert set(await found(session, board, cards, q="outil", column=str(column.id))) == {
        "outils",
        "body_only",
    }
    for nonsense in ("abc", "-1", "99999999999999", str(2**31 + 5)):
        assert await found(session, board, cards, column=nonsense) == []
    assert (await found(session, board, cards, q="outil", sort="newest"))[
        0
    ] == "other:Outil de plus"
    reader = await new_person(session)
    await set_useful(
        session, await access_of(session, board, reader), cards["body_only"].id, on=True
    )
    useful_first = await found(session, board, cards, q="outil", sort="useful")
    assert useful_first[0] == "body_only"  # a body match, but the only one marked useful
    assert set(useful_first[1:]) == {"outils", "other:Outil de plus"}
    assert extra.useful == 0


async def test_a_card_is_found_once_written_and_no_longer_once_archived(
    session: AsyncSession,
) -> None:
    board, facilitator, column, cards = await a_searchable_board(session)
    card = await new_card(session, board, column, facilitator, title="Atelier de médiation")
    await session.commit()
    cards["new"] = card
    assert await found(session, board, cards, q="mediation") == ["new"]

    access = await access_of(session, board, facilitator)
    await update_card(
        session,
        access,
        card.id,
        CardPatch(version=card.version, title="Atelier de création", labels=["Médiation"]),
    )
    await session.commit()
    assert await found(session, board, cards, q="creation") == ["new"]
    assert await found(session, board, cards, q="mediation") == ["new"]  # now a label

    await archive_card(session, access, card.id)
    await session.commit()
    assert await found(session, board, cards, q="creation") == []
    await restore_card(session, access, card.id)
    await session.commit()
    assert await found(session, board, cards, q="creation") == ["new"]


async def test_a_renamed_label_and_a_deleted_card_are_indexed(session: AsyncSession) -> None:
    board, _facilitator, _column, cards = await a_searchable_board(session)
    await session.execute(
        update(Label)
        .where(Label.board_id == board.id, Label.name == "Numérique")
        .values(name="Informatique")
    )
    assert await found(session, board, cards, q="informatique") == ["outils"]
    await session.execute(delete(Card).where(Card.id == cards["outils"].id))
    assert await found(session, board, cards, q="outils") == ["body_only"]
    await session.execute(delete(Board).where(Board.id == board.id))
    key = "rowid" if session.get_bind().dialect.name == "sqlite" else "card_id"
    ids = [card.id for card in cards.values()]
    query = text(f"SELECT count(*) FROM card_search WHERE {key} IN :ids")  # noqa: S608 - a name
    left = await session.scalar(query.bindparams(bindparam("ids", expanding=True)), {"ids": ids})
    assert left == 0  # a board deleted takes its cards out of the index (cascades fire triggers)


async def test_another_boards_cards_are_not_found(session: AsyncSession) -> None:
    board, _facilitator, _column, cards = await a_searchable_board(session)
    other, _other_facilitator, _other_column, _other_cards = await a_searchable_board(session)
    assert set(await found(session, other, cards, q="outils")) == {
        "other:Boîte à outils numériques",
        "other:Répertoire régional",
    }
    assert set(await found(session, board, cards, q="outils")) == {"outils", "body_only"}


def test_the_words_are_quoted_for_each_database() -> None:
    words = terms('L’Économie "des" OUTILS* NEAR(a) -x')
    assert words == ["economie", "outil", "near", "x"]
    assert fts5_query(words) == '"economie"* "outil"* "near"* "x"*'
    assert tsquery(words) == "'economie':* & 'outil':* & 'near':* & 'x':*"
    assert terms("un " * 300) == []


def reference(card: Card, query: str) -> bool:
    """What the index must find, worked out in Python: every word typed begins a word of the
    card's title, labels, description, source or audiences."""
    text = " ".join(
        [card.title, card.description, card.source, *card.audiences]
        + [label.name for label in card.labels]
    )
    words = set(WORD.findall(fold(text)))
    return all(any(word.startswith(term) for word in words) for term in terms(query))


async def test_the_demo_board_restored_through_the_import_is_indexed(
    session: AsyncSession,
) -> None:
    board = await write_demo(session, timezone="America/Toronto")
    assert board is not None
    access = await access_of(session, board, None)
    everything = (await search_cards(session, access, SearchFilters())).cards
    assert len(everything) > 40
    for query in ["strat", "numériques", "outils", "musée", "evaluer competences", "québec"]:
        expected = {card.id for card in everything if reference(card, query)}
        results = await search_cards(session, access, SearchFilters(query=query))
        assert expected, query
        assert {card.id for card in results.cards} == expected, query


async def test_only_the_best_are_read_and_all_are_counted(session: AsyncSession) -> None:
    board, _facilitator, _column, cards = await a_searchable_board(session)
    access = await access_of(session, board, None)
    results = await search_cards(session, access, SearchFilters(query="economie"), limit=2)
    assert [card.id for card in results.cards] == [cards["economie"].id, cards["label_only"].id]
    assert results.total == 3 and results.cut


async def test_ties_at_the_cut_keep_the_boards_order_and_hidden_cards_are_not_counted(
    session: AsyncSession,
) -> None:
    """Cards that match alike rank alike: which of them are shown, when there are more than
    the limit, is the board's order, as without a limit; cards archived, or in an archived
    column, are neither shown nor counted."""
    board, facilitator, first, _cards = await a_searchable_board(session)
    second = await new_column(session, board, facilitator, "Archives")
    alike = {"title": "Atelier", "description": "", "kind": Kind.other}
    in_first = [await new_card(session, board, first, facilitator, **alike) for _ in range(3)]
    in_second = [await new_card(session, board, second, facilitator, **alike) for _ in range(3)]
    await session.commit()
    access = await access_of(session, board, facilitator)
    board_order = [card.id for card in in_first + in_second]

    everything = await search_cards(session, access, SearchFilters(query="atelier"))
    assert [card.id for card in everything.cards] == board_order
    for limit in (1, 2, 4):
        cut = await search_cards(session, access, SearchFilters(query="atelier"), limit=limit)
        assert [card.id for card in cut.cards] == board_order[:limit]
        assert cut.total == 6

    await archive_card(session, access, in_first[1].id)
    await archive_column(session, access, second.id)
    await session.commit()
    shown = await search_cards(session, access, SearchFilters(query="atelier"), limit=1)
    assert [card.id for card in shown.cards] == [in_first[0].id]
    assert shown.total == 2
    rest = await search_cards(session, access, SearchFilters(query="atelier"))
    assert [card.id for card in rest.cards] == [in_first[0].id, in_first[2].id]
