"""The pocket toolbox: `/b/{slug}/pocket.epub` read back with EbookLib and checked by epubcheck
(Debian's), and `/b/{slug}/print`, for a column, a filtered view and one's favourites."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest
from ebooklib import ITEM_DOCUMENT, epub

from tests.factories import bearer, make_board, make_card, make_column, make_member, make_user
from toolbox.board.models import Kind, Role
from toolbox.db import Database

EPUBCHECK = shutil.which("epubcheck")
REQUIRE_ALL = os.environ.get("TOOLBOX_TEST_REQUIRE_ALL") == "1"


def read_book(
    content: bytes, tmp_path: Path, name: str = "pocket.epub"
) -> tuple[epub.EpubBook, Path]:
    path = tmp_path / name
    path.write_bytes(content)
    return epub.read_epub(str(path), {"ignore_ncx": True}), path


def chapters(book: epub.EpubBook) -> dict[str, str]:
    """Each chapter's title (from the table of contents) and its XHTML."""
    titles = {link.href: link.title for link in book.toc}
    return {
        titles[item.file_name]: item.get_content().decode()
        for item in book.get_items_of_type(ITEM_DOCUMENT)
        if item.file_name in titles
    }


def epubcheck(path: Path) -> None:
    if EPUBCHECK is None:
        if REQUIRE_ALL:
            pytest.fail(
                "epubcheck is required (TOOLBOX_TEST_REQUIRE_ALL=1): apt-get install epubcheck"
            )
        pytest.skip("no epubcheck (apt-get install epubcheck)")
    # The Debian package installs the jar itself as the command: run it with java.
    result = subprocess.run(
        ["java", "-jar", EPUBCHECK, str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


async def a_board(db: Database):  # type: ignore[no-untyped-def]
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator, title="Accélérateur <numérique>")
    tools = await make_column(db, board, facilitator, "Outils & gabarits")
    guides = await make_column(db, board, facilitator, "Guides")
    await make_column(db, board, facilitator, "Vide")
    compass = await make_card(
        db,
        board,
        tools,
        facilitator,
        title="Boussole <numérique>",
        url="https://example.org/b?x=1&y=2",
        description="**Un outil** <script>alert(1)</script>\n\n- point un\n- point deux",
        kind=Kind.tool,
        languages=["fr", "en"],
        licence="CC BY 4.0",
    )
    await make_card(db, board, tools, facilitator, title="Gabarit de plan", kind=Kind.template)
    guide = await make_card(
        db,
        board,
        guides,
        facilitator,
        title="Guide des métadonnées",
        kind=Kind.guide,
        languages=["fr"],
    )
    return board, facilitator, (tools, guides), (compass, guide)


async def test_the_whole_board_as_an_epub_that_epubcheck_accepts(
    db: Database, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    board, _facilitator, _columns, _cards = await a_board(db)
    answer = await client.get(f"/b/{board.slug}/pocket.epub", headers={"Accept-Language": "fr-CA"})
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/epub+zip"
    assert f'filename="{board.slug}.epub"' in answer.headers["content-disposition"]
    book, path = read_book(answer.content, tmp_path)
    assert book.get_metadata("DC", "title")[0][0] == "Accélérateur <numérique>"
    assert book.get_metadata("DC", "language")[0][0] == "fr-CA"
    found = chapters(book)
    assert list(found) == ["Outils & gabarits", "Guides"]  # by column, in order, none empty
    tools = found["Outils & gabarits"]
    assert "Boussole &lt;numérique&gt;" in tools and "<strong>Un outil</strong>" in tools
    assert "<script" not in tools and "alert(1)" in tools  # the text stays, as text
    assert 'href="https://example.org/b?x=1&amp;y=2"' in tools
    assert "Outil · français, anglais · Licence : CC BY 4.0" in tools
    assert tools.index("Boussole") < tools.index("Gabarit de plan")
    await asyncio.to_thread(epubcheck, path)


async def test_a_column_a_filtered_view_and_ones_favourites(
    db: Database, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    board, _facilitator, (_tools, guides), (compass, guide) = await a_board(db)
    column = await client.get(f"/b/{board.slug}/pocket.epub", params={"column": str(guides.id)})
    book, _path = read_book(column.content, tmp_path, "column.epub")
    assert list(chapters(book)) == ["Guides"]
    assert book.get_metadata("DC", "title")[0][0] == "Accélérateur <numérique> : Guides"
    filtered = await client.get(
        f"/b/{board.slug}/pocket.epub", params={"q": "boussole", "kind": "tool"}
    )
    book, _path = read_book(filtered.content, tmp_path, "filtered.epub")
    assert list(chapters(book)) == ["Outils & gabarits"]
    assert "Gabarit de plan" not in chapters(book)["Outils & gabarits"]

    alice = await make_member(db, board, Role.participant)
    bob = await make_member(db, board, Role.participant)
    await client.put(f"/api/v1/cards/{guide.id}/favourite", headers=await bearer(db, alice))
    await client.put(f"/api/v1/cards/{compass.id}/favourite", headers=await bearer(db, bob))
    anonymous = await client.get(f"/b/{board.slug}/pocket.epub", params={"favourites": "1"})
    assert anonymous.status_code in {303, 401}
    hers = await client.get(
        f"/b/{board.slug}/pocket.epub", params={"favourites": "1"}, headers=await bearer(db, alice)
    )
    book, path = read_book(hers.content, tmp_path, "hers.epub")
    assert (
        list(chapters(book)) == ["Guides"] and "Guide des métadonnées" in chapters(book)["Guides"]
    )
    assert "etag" not in hers.headers or "Boussole" not in hers.text
    his = await client.get(
        f"/b/{board.slug}/pocket.epub", params={"favourites": "1"}, headers=await bearer(db, bob)
    )
    assert list(chapters(read_book(his.content, tmp_path, "his.epub")[0])) == ["Outils & gabarits"]
    await asyncio.to_thread(epubcheck, path)


async def test_the_printable_page_and_a_members_only_boards_pocket(
    db: Database, client: httpx.AsyncClient
) -> None:
    board, facilitator, (tools, _guides), _cards = await a_board(db)
    page = await client.get(f"/b/{board.slug}/print", params={"column": str(tools.id)})
    assert page.status_code == 200
    assert "Boussole &lt;numérique&gt;" in page.text and "Guide des métadonnées" not in page.text
    assert "<script>alert" not in page.text
    board_page = (await client.get(f"/b/{board.slug}", params={"kind": "tool"})).text
    assert f'href="/b/{board.slug}/pocket.epub?kind=tool"' in board_page
    assert f'href="/b/{board.slug}/print?kind=tool"' in board_page

    closed = await make_board(db, public=False, facilitator=facilitator)
    for address in (f"/b/{closed.slug}/pocket.epub", f"/b/{closed.slug}/print"):
        refused = await client.get(address)
        assert refused.status_code in {303, 401}
