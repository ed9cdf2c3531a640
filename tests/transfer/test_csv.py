"""`toolbox import csv` and `toolbox export --format csv`: the documented header both ways, every
row checked before anything is written."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from tests.factories import make_board, make_card, make_column, make_user
from tests.transfer.builders import board_facts, toolbox
from toolbox.board.models import Board, BoardColumn, Card, Kind
from toolbox.db import Database

HEADER = "column,title,url,description,kind,languages,labels"


async def nothing_in(db: Database, slug: str) -> bool:
    async with db.read() as session:
        board_id = await session.scalar(select(Board.id).where(Board.slug == slug))
        cards = await session.scalar(select(func.count()).where(Card.board_id == board_id))
        columns = await session.scalar(select(func.count()).where(BoardColumn.board_id == board_id))
        return cards == 0 and columns == 0


async def test_export_then_import_into_an_empty_board_gives_the_same_file(
    tmp_path: Path, empty_url: str, empty_db: Database
) -> None:
    facilitator = await make_user(empty_db)
    board = await make_board(empty_db, facilitator=facilitator)
    first = await make_column(empty_db, board, facilitator, "Stratégie numérique")
    second = await make_column(empty_db, board, facilitator, "Données, métadonnées")
    await make_card(
        empty_db,
        board,
        first,
        facilitator,
        title="Guide « découvrabilité »",
        url="https://example.org/guide?a=1&b=2",
        description='Ligne 1, avec virgule\n\nLigne "2" ; point-virgule',
        kind=Kind.guide,
        languages=["fr", "en"],
        labels=["Débutant", "Données"],
    )
    await make_card(empty_db, board, first, facilitator, title="Outil", kind=Kind.tool)
    await make_card(empty_db, board, second, facilitator, title="Lexique", labels=["Données"])
    exported = tmp_path / "a.csv"
    result = toolbox(
        "export", board.slug, "--format", "csv", "-o", str(exported), database_url=empty_url
    )
    assert result.returncode == 0, result.stderr
    text = exported.read_text(encoding="utf-8")
    assert text.splitlines()[0] == HEADER
    assert len(text.splitlines()) == 1 + 3 + 2  # header, three cards, two more description lines

    other = await make_board(empty_db, facilitator=facilitator)
    imported = toolbox(
        "import", "csv", str(exported), "--board", other.slug, database_url=empty_url
    )
    assert imported.returncode == 0, imported.stderr
    assert "(3 new, 0 changed)" in imported.stdout
    again = toolbox("export", other.slug, "--format", "csv", database_url=empty_url)
    assert again.returncode == 0, again.stderr
    assert again.stdout == text
    facts = await board_facts(empty_db, other.slug)
    assert facts["order"] == {
        "Stratégie numérique": ["Guide « découvrabilité »", "Outil"],
        "Données, métadonnées": ["Lexique"],
    }


async def test_a_wrong_row_imports_nothing_and_every_wrong_row_is_listed(
    tmp_path: Path, empty_url: str, empty_db: Database
) -> None:
    board = await make_board(empty_db)
    path = tmp_path / "cards.csv"
    path.write_text(
        f"{HEADER}\n"
        "Outils,Bon,https://example.org,,tool,fr,\n"  # line 2: fine
        "Outils,Mauvais lien,javascript:alert(1),,,,\n"  # line 3
        "Outils,,,,,,\n"  # line 4: no title
        'Guides,"Sur deux\nlignes",,,guide,,\n'  # lines 5 and 6: fine
        "Guides,Genre inconnu,,,poème,,\n",  # line 7
        encoding="utf-8",
    )
    result = toolbox("import", "csv", str(path), "--board", board.slug, database_url=empty_url)
    assert result.returncode != 0
    assert "3 rows are wrong; nothing was imported." in result.stderr
    assert "Line 3, url: The link must start with http:// or https://." in result.stderr
    assert "Line 4, title:" in result.stderr
    assert "Line 7, kind: This value is not one of the choices." in result.stderr
    assert "Line 2" not in result.stderr and "Line 5" not in result.stderr
    assert await nothing_in(empty_db, board.slug)


async def test_wrong_header_or_encoding_is_named_and_nothing_is_written(
    tmp_path: Path, empty_url: str, empty_db: Database
) -> None:
    board = await make_board(empty_db)
    cases = {
        b"Colonne,Titre\nOutils,Bon\n": "The CSV header has unknown columns: colonne, titre.",
        b"title,url\nBon,\n": "The CSV header lacks: column.",
        f"{HEADER}\nDonnées,Métadonnées,,,,,\n".encode("latin-1"): "The file is not UTF-8 text",
        b"": "The file is empty.",
    }
    for content, message in cases.items():
        path = tmp_path / "cards.csv"
        path.write_bytes(content)
        result = toolbox("import", "csv", str(path), "--board", board.slug, database_url=empty_url)
        assert result.returncode != 0 and message in result.stderr, (content, result.stderr)
    path.write_text(f"{HEADER}\nOutils,Bon,,,,,\n", encoding="utf-8")
    missing = toolbox("import", "csv", str(path), "--board", "nowhere", database_url=empty_url)
    assert "There is no board nowhere" in missing.stderr
    assert await nothing_in(empty_db, board.slug)


async def test_a_spreadsheet_in_french_writes_semicolons_and_a_byte_order_mark(
    tmp_path: Path, empty_url: str, empty_db: Database
) -> None:
    board = await make_board(empty_db)
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeffcolumn;title;languages\nÉthique;Charte;fr, en\n".encode())
    result = toolbox("import", "csv", str(path), "--board", board.slug, database_url=empty_url)
    assert result.returncode == 0, result.stderr
    async with empty_db.read() as session:
        card = await session.scalar(select(Card).where(Card.title == "Charte"))
        assert card is not None and card.languages == ["fr", "en"] and card.kind == Kind.other
