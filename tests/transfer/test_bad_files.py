"""Files that are not what they claim are refused with a sentence naming the problem, and an
import that fails part way leaves nothing behind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.transfer.builders import FIXTURES, large_export, toolbox
from toolbox.board.models import Board, BoardColumn, Card, Label
from toolbox.db import Database
from toolbox.events.models import BoardEvent
from toolbox.transfer.importer import import_plan
from toolbox.transfer.models import BoardOrigin, ExternalId, HistoryNote
from toolbox.transfer.trello import plan_from_trello
from toolbox.transfer.trello_format import parse_trello

WEKAN = (FIXTURES / "wekan-project100.json").read_bytes()


def without_a_list_id() -> bytes:
    export = json.loads(WEKAN)
    del export["cards"][0]["idList"]
    return json.dumps(export).encode()


async def rows_in(db: Database) -> dict[str, int]:
    models = (Board, BoardColumn, Card, Label, BoardEvent, BoardOrigin, ExternalId, HistoryNote)
    async with db.read() as session:
        return {
            model.__tablename__: int(
                await session.scalar(select(func.count()).select_from(model)) or 0
            )
            for model in models
        }


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Bonjour", "The file is not JSON (line 1, column 1)."),
        (b"[]", "This is not a Trello board export"),
        (b'{"id": "x", "name": "Sans listes"}', "This is not a Trello board export"),
        (WEKAN[: len(WEKAN) // 2], "The file ends too early: it was cut off."),
        (without_a_list_id(), "“cards[0].idList” is missing"),
        ('{"name": "Étoile"}'.encode("latin-1"), "The file is not UTF-8 text"),
        (b"", "The file is empty."),
    ],
)
async def test_wrong_trello_files(
    content: bytes, message: str, tmp_path: Path, empty_url: str, empty_db: Database
) -> None:
    path = tmp_path / "export.json"
    path.write_bytes(content)
    result = toolbox("import", "trello", str(path), database_url=empty_url)
    assert result.returncode != 0 and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert set((await rows_in(empty_db)).values()) == {0}


async def test_files_over_fifty_megabytes_are_not_read(
    tmp_path: Path, empty_url: str, empty_db: Database
) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as huge:
        huge.truncate(50 * 1000 * 1000 + 1)  # sparse: nothing is really written
    for kind in ("trello", "json"):
        result = toolbox("import", kind, str(path), database_url=empty_url)
        assert result.returncode != 0
        assert "The file is too large (50 MB at most)." in result.stderr
    missing = toolbox("import", "trello", str(tmp_path / "nothing.json"), database_url=empty_url)
    assert missing.returncode != 0 and "The file cannot be read" in missing.stderr
    assert set((await rows_in(empty_db)).values()) == {0}


async def test_an_import_that_fails_part_way_writes_nothing(empty_db: Database) -> None:
    plan = plan_from_trello(parse_trello(large_export(300_000, 400)))

    def fail_midway(done: int, total: int) -> None:
        if done == total // 2:
            raise RuntimeError("the disk is full")

    with pytest.raises(RuntimeError):
        async with empty_db.write() as session:
            await import_plan(session, plan, timezone="UTC", progress=fail_midway)
    assert set((await rows_in(empty_db)).values()) == {0}
    # The same plan then imports whole.
    async with empty_db.write() as session:
        report = await import_plan(session, plan, timezone="UTC")
    assert report.created_cards == len(plan.cards) and (await rows_in(empty_db))["history_notes"]


def test_ids_need_not_be_object_ids() -> None:
    export = json.loads((FIXTURES / "deck-minimal.json").read_text(encoding="utf-8"))
    plan = plan_from_trello(parse_trello(export))
    assert plan.external_id == "fakeboardidhash"
    assert [card.external_id for card in plan.cards] == ["hashcard7"]
