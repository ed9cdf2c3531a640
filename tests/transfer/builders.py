"""Builders for the import and export tests: the real Trello exports, a large one made from them,
the command line as a real process, and a fresh database per test (imports must start empty)."""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from tests.servers import ROOT
from toolbox.board.models import Board, BoardColumn, Card, Label
from toolbox.db import Database

FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "trello"
TRELLO_FILES = ("wekan-project100.json", "deck-minimal.json")
CHECKLIST_ITEM = re.compile(r"^- \[[ x]\] ", re.MULTILINE)


def trello_fixture(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return document


def toolbox(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    """`toolbox …` as a person runs it, against `database_url`, messages in English."""
    env = {
        **os.environ,
        "TOOLBOX_DATABASE_URL": database_url,
        "TOOLBOX_SECRET_KEY": "transfer-test",
        "TOOLBOX_DEFAULT_LOCALE": "en",
    }
    return subprocess.run(
        [sys.executable, "-m", "toolbox.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def ordered(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Trello's order: by `pos`, equal positions in the order of the file."""
    return [item for _n, item in sorted(enumerate(items), key=lambda p: (p[1]["pos"], p[0]))]


def expected_from(export: dict[str, Any]) -> dict[str, Any]:
    """What an import of `export` must give, read straight from the file."""
    lists = ordered(export["lists"])
    return {
        "open_columns": sum(1 for t in lists if not t["closed"]),
        "archived_columns": sum(1 for t in lists if t["closed"]),
        "open_cards": sum(1 for c in export["cards"] if not c["closed"]),
        "archived_cards": sum(1 for c in export["cards"] if c["closed"]),
        "labels": len({(label["name"] or label["color"]) for label in export["labels"]}),
        "checklist_items": sum(len(c["checkItems"]) for c in export.get("checklists", [])),
        "order": {
            t["name"]: [c["name"] for c in ordered(export["cards"]) if c["idList"] == t["id"]]
            for t in lists
        },
    }


async def board_facts(db: Database, slug: str) -> dict[str, Any]:
    """The same facts, read from the database."""
    async with db.read() as session:
        board = await session.scalar(select(Board).where(Board.slug == slug))
        assert board is not None, f"no board {slug}"
        columns = list(
            await session.scalars(
                select(BoardColumn)
                .where(BoardColumn.board_id == board.id)
                .order_by(BoardColumn.position, BoardColumn.id)
            )
        )
        cards = list(
            await session.scalars(
                select(Card).where(Card.board_id == board.id).order_by(Card.position, Card.id)
            )
        )
        labels = await session.scalar(
            select(func.count()).select_from(Label).where(Label.board_id == board.id)
        )
        return {
            "open_columns": sum(1 for c in columns if c.archived_at is None),
            "archived_columns": sum(1 for c in columns if c.archived_at is not None),
            "open_cards": sum(1 for c in cards if c.archived_at is None),
            "archived_cards": sum(1 for c in cards if c.archived_at is not None),
            "labels": labels,
            "checklist_items": sum(len(CHECKLIST_ITEM.findall(c.description)) for c in cards),
            "order": {
                column.title: [c.title for c in cards if c.column_id == column.id]
                for column in columns
            },
            "card_ids": sorted(c.id for c in cards),
        }


def large_export(size: int = 1_000_000, actions: int = 1000) -> dict[str, Any]:
    """A Trello export of about `size` bytes with exactly `actions` actions (the most Trello
    writes), grown from the real `wekan-project100.json`: more lists (one closed), cards with
    equal `pos` values, closed cards, named and unnamed labels, checklists, link and file
    attachments, custom field values, and comments."""
    small, larger = (len(json.dumps(_grown(n, actions))) for n in (10, 20))
    cards = 10 + round((size - small) * 10 / (larger - small))
    return _grown(max(cards, 1), actions)


def _grown(cards: int, actions: int) -> dict[str, Any]:
    base = trello_fixture("wekan-project100.json")
    export = copy.deepcopy(base)
    board_id = export["id"]
    template_card = base["cards"][0]
    export["labels"] = [
        *base["labels"],
        {**base["labels"][0], "id": "lbl-named", "name": "Données"},
    ]
    export["lists"] = [
        {
            **base["lists"][0],
            "id": f"list{n}",
            "name": f"Liste {n}",
            "pos": 1000 + 10 * (n % 4),
            "closed": n == 7,
        }
        for n in range(8)
    ]
    export["cards"], export["checklists"] = [], []
    padding = "Une ressource pour la transformation numérique. " * 40
    for n in range(cards):
        card = copy.deepcopy(template_card)
        card.update(
            id=f"card{n}",
            name=f"Ressource {n}",
            idList=f"list{n % 8}",
            pos=float(n // 24),  # three cards of each list share each position
            closed=n % 11 == 0,
            desc=f"**Ressource {n}.** {padding}",
            idLabels=[export["labels"][n % 7]["id"]],
            attachments=[
                {
                    "id": f"att{n}a",
                    "name": "Site",
                    "url": f"https://example.org/r/{n}",
                    "isUpload": False,
                },
                {
                    "id": f"att{n}b",
                    "name": "Guide",
                    "url": f"https://example.org/g/{n}",
                    "isUpload": False,
                },
                {
                    "id": f"att{n}c",
                    "name": "fiche.pdf",
                    "url": f"https://trello.com/1/cards/card{n}/attachments/x/download/fiche.pdf",
                    "isUpload": True,
                },
            ],
            idChecklists=[f"check{n}"],
        )
        export["cards"].append(card)
        export["checklists"].append(
            {
                "id": f"check{n}",
                "name": "À faire",
                "idBoard": board_id,
                "idCard": card["id"],
                "pos": 1,
                "checkItems": [
                    {
                        "id": f"item{n}-{i}",
                        "name": f"Étape {i}",
                        "state": "complete" if i == 0 else "incomplete",
                        "pos": 3 - i,
                    }
                    for i in range(3)
                ],
            }
        )
    other = next(a for a in base["actions"] if a["type"] == "createCard")
    export["actions"] = []
    for i in range(actions):
        card = export["cards"][i % len(export["cards"])]
        action = {**copy.deepcopy(other), "id": f"action{i}"}
        if i % 5 != 4:  # four in five are comments
            action.update(
                type="commentCard",
                date=f"2021-01-{1 + i % 28:02d}T10:{i % 60:02d}:00.000Z",
                data={
                    "text": f"Commentaire {i} : à revoir.",
                    "card": {"id": card["id"], "name": card["name"]},
                    "board": {"id": board_id},
                    "list": {"id": card["idList"]},
                },
            )
        export["actions"].append(action)
    return export
