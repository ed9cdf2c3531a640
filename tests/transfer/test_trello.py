"""`toolbox import trello`: the real exports, as they are, and a large one grown from them."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.transfer.builders import (
    FIXTURES,
    TRELLO_FILES,
    board_facts,
    expected_from,
    large_export,
    toolbox,
    trello_fixture,
)
from toolbox import i18n
from toolbox.board.models import Board, Card, Label
from toolbox.db import Database
from toolbox.events.models import BoardEvent
from toolbox.transfer.models import ExternalId, HistoryNote
from toolbox.transfer.trello import plan_from_trello
from toolbox.transfer.trello_format import parse_trello

EXPECTED_UNMAPPED = {
    "wekan-project100.json": [
        "33 entries of Trello's activity log (moves, edits…) were not imported: only comments "
        "are kept.",
        "1 Trello member was not brought over (exports have no e-mail addresses): invite people "
        "from the manage page.",
        "3 cards had members assigned; assignments are not kept.",
    ],
    "deck-minimal.json": [
        "5 entries of Trello's activity log (moves, edits…) were not imported: only comments "
        "are kept.",
        "1 Trello member was not brought over (exports have no e-mail addresses): invite people "
        "from the manage page.",
    ],
}


async def count(db: Database, model: type, board_slug: str) -> int:
    async with db.read() as session:
        board_id = await session.scalar(select(Board.id).where(Board.slug == board_slug))
        return int(
            await session.scalar(
                select(func.count()).select_from(model).where(model.board_id == board_id)  # type: ignore[attr-defined]
            )
            or 0
        )


@pytest.mark.parametrize("name", TRELLO_FILES)
async def test_real_export_imports_as_in_the_file_and_again_adds_nothing(
    name: str, empty_url: str, empty_db: Database
) -> None:
    first = toolbox("import", "trello", str(FIXTURES / name), database_url=empty_url)
    assert first.returncode == 0, first.stderr
    export = trello_fixture(name)
    slug = {"wekan-project100.json": "project-100", "deck-minimal.json": "test-board-name"}[name]
    assert f"({slug}) created." in first.stdout
    for sentence in EXPECTED_UNMAPPED[name]:
        assert sentence in first.stdout
    facts = await board_facts(empty_db, slug)
    expected = expected_from(export)
    assert {k: facts[k] for k in expected} == expected

    again = toolbox("import", "trello", str(FIXTURES / name), database_url=empty_url)
    assert again.returncode == 0, again.stderr
    assert f"({slug}) updated." in again.stdout and "(0 new, 0 changed)" in again.stdout
    assert await board_facts(empty_db, slug) == facts
    async with empty_db.read() as session:
        assert await session.scalar(select(func.count()).select_from(Board)) == 1
        types = list(await session.scalars(select(BoardEvent.type).order_by(BoardEvent.seq)))
    assert types == ["board.imported", "board.imported"]


async def test_equal_positions_keep_the_order_of_the_file_and_midpoints_count(
    empty_url: str, empty_db: Database
) -> None:
    # In wekan-project100.json, "Write code" (pos 32767.5) comes after "Review code" (65535)
    # in the file but before it on the board.
    result = toolbox(
        "import",
        "trello",
        str(FIXTURES / "wekan-project100.json"),
        "--board",
        "p100",
        database_url=empty_url,
    )
    assert result.returncode == 0, result.stderr
    facts = await board_facts(empty_db, "p100")
    assert facts["order"]["Todo"] == ["Write code", "Review code"]
    assert list(facts["order"]) == ["Todo", "In Progress", "Done"]


async def test_large_export_with_a_thousand_actions(
    tmp_path: Path, empty_url: str, empty_db: Database
) -> None:
    export = large_export()
    path = tmp_path / "large.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    assert 900_000 < path.stat().st_size < 1_100_000
    result = toolbox("import", "trello", str(path), "--board", "grande", database_url=empty_url)
    assert result.returncode == 0, result.stderr
    assert "The export holds 1,000 actions" in result.stdout
    assert f"{len(export['cards'])} attached files stay on Trello" in result.stdout
    assert "━" in result.stderr  # rich's progress bar, on standard error

    facts = await board_facts(empty_db, "grande")
    expected = expected_from(export)
    assert {k: facts[k] for k in expected} == expected
    assert facts["archived_columns"] == 1 and facts["archived_cards"] > 0
    comments = sum(1 for action in export["actions"] if action["type"] == "commentCard")
    assert await count(empty_db, HistoryNote, "grande") == comments == 800
    async with empty_db.read() as session:
        card = await session.scalar(select(Card).where(Card.title == "Ressource 3"))
        assert card is not None
        assert card.url == "https://example.org/r/3"  # the first link attached
        assert "[Guide](<https://example.org/g/3>)" in card.description  # the others, listed
        assert "### À faire\n- [ ] Étape 2\n- [ ] Étape 1\n- [x] Étape 0" in card.description
        assert "- **Text Value:** Hello" in card.description  # a custom field
        assert card.description.startswith("**Ressource 3.** Une ressource")
        assert [label.name for label in card.labels] == ["Purple"]
        named = await session.scalar(select(Label).where(Label.name == "Données"))
        assert named is not None and named.colour == "green"

    again = toolbox("import", "trello", str(path), "--board", "grande", database_url=empty_url)
    assert again.returncode == 0, again.stderr
    assert await board_facts(empty_db, "grande") == facts
    assert await count(empty_db, HistoryNote, "grande") == 800
    assert await count(empty_db, ExternalId, "grande") == 8 + len(export["cards"]) + 7


async def test_changes_at_the_source_update_the_cards_made_before(
    tmp_path: Path, empty_url: str, empty_db: Database
) -> None:
    export = trello_fixture("wekan-project100.json")
    path = tmp_path / "board.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    assert toolbox("import", "trello", str(path), database_url=empty_url).returncode == 0
    before = await board_facts(empty_db, "project-100")

    changed = copy.deepcopy(export)
    changed["cards"][1].update(name="Review the code", closed=True)  # renamed and archived
    changed["cards"][2]["idList"] = changed["lists"][2]["id"]  # moved to Done
    changed["lists"][1]["closed"] = True
    path.write_text(json.dumps(changed), encoding="utf-8")
    result = toolbox("import", "trello", str(path), database_url=empty_url)
    assert result.returncode == 0, result.stderr
    assert "(0 new, 1 changed)" in result.stdout
    after = await board_facts(empty_db, "project-100")
    assert after["card_ids"] == before["card_ids"]
    assert after["order"] == {
        "Todo": ["Write code", "Review the code"],
        "Done": ["Visualize code"],
        "In Progress": [],
    }
    assert after["archived_cards"] == 1 and after["archived_columns"] == 1


def test_old_exports_with_only_label_names() -> None:
    export = trello_fixture("wekan-project100.json")
    del export["labels"]
    export["labelNames"] = {**export["labelNames"], "green": "Stratégie", "red": "Données"}
    export["cards"][0]["labels"] = [{"color": "green", "name": "Stratégie"}]
    export["cards"][0]["idLabels"] = []
    export["cards"][1]["labels"] = [{"id": "old1", "color": "sky", "name": ""}]
    with i18n.use_locale("en"):
        plan = plan_from_trello(parse_trello(export))
    assert [(label.name, label.colour) for label in plan.labels] == [
        ("Stratégie", "green"),
        ("Données", "red"),
        ("Sky", "sky"),
    ]
    by_title = {card.title: card.labels for card in plan.cards}
    assert by_title == {"Write code": ["Stratégie"], "Review code": ["Sky"], "Visualize code": []}


def test_labels_unnamed_shaded_and_with_one_name() -> None:
    export = trello_fixture("deck-minimal.json")
    export["labels"] += [
        {"id": "a", "name": "", "color": "yellow"},
        {"id": "b", "name": "", "color": "green_dark"},
        {"id": "c", "name": "Urgent", "color": "red"},
        {"id": "d", "name": "urgent ", "color": "pink"},
        {"id": "e", "name": None, "color": None},
    ]
    with i18n.use_locale("en"):
        plan = plan_from_trello(parse_trello(export))
    assert [label.name for label in plan.labels] == [
        "Yellow",
        "Yellow 2",
        "Green (dark)",
        "Urgent",
        "Label",
    ]
    assert "1 label has the same name as another and was merged with it." in plan.unmapped
