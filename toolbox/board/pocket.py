"""The pocket toolbox: a board's resources to take away, as an EPUB 3 (EbookLib) or a printable
page. What goes in is what the board shows for the same address: a column (`?column=`), a
filtered view (the board's query parameters) or one's favourites (`?favourites=1`); else the
whole board. One chapter per column (the table of contents), each resource with its link,
description (sanitised Markdown), kind, languages and licence.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from ebooklib import epub  # type: ignore[import-untyped]
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from toolbox.board.access import BoardAccess
from toolbox.board.models import Board, BoardColumn, Card, Favourite
from toolbox.board.records import CardRecord
from toolbox.board.search import SearchFilters, search_cards
from toolbox.board.services import board_columns, cards_by_column
from toolbox.i18n import current_locale
from toolbox.i18n import gettext as _
from toolbox.templating import render_fragment
from toolbox.urls import absolute_url

MEDIA_TYPE = "application/epub+zip"


@dataclass
class PocketSection:
    column: BoardColumn
    cards: list[Card | CardRecord] = field(default_factory=list)


async def pocket_contents(
    session: AsyncSession,
    access: BoardAccess,
    filters: SearchFilters,
    *,
    favourites: bool = False,
) -> list[PocketSection]:
    """The board's columns that hold something of the selection, in order, with their cards."""
    columns = await board_columns(session, access.board)
    chosen: list[Card | CardRecord]
    if favourites:
        access.require_participant()
        starred = select(Favourite.card_id).where(Favourite.user_id == access.user_id)
        grouped = await cards_by_column(session, access.board)
        chosen = [card for cards in grouped.values() for card in cards]
        ids = set(
            await session.scalars(starred.where(Favourite.card_id.in_([c.id for c in chosen])))
        )
        chosen = [card for card in chosen if card.id in ids]
    elif filters.active and not _column_only(filters):
        chosen = list((await search_cards(session, access, filters)).cards)
    else:
        grouped = await cards_by_column(session, access.board)
        wanted = {int(filters.column)} if _column_only(filters) else None
        chosen = [
            card
            for column in columns
            if wanted is None or column.id in wanted
            for card in grouped.get(column.id, [])
        ]
    sections = {column.id: PocketSection(column) for column in columns}
    for card in chosen:
        if card.column_id in sections:
            sections[card.column_id].cards.append(card)
    return [section for section in sections.values() if section.cards]


def _column_only(filters: SearchFilters) -> bool:
    return filters.column.isdigit() and filters == SearchFilters(
        column=filters.column, sort=filters.sort
    )


def pocket_title(board: Board, sections: list[PocketSection], favourites: bool) -> str:
    if favourites:
        return _("%(board)s: my favourites", board=board.title)
    if len(sections) == 1:
        return _("%(board)s: %(column)s", board=board.title, column=sections[0].column.title)
    return board.title


def pocket_epub(
    board: Board,
    sections: list[PocketSection],
    *,
    title: str,
    base_url: str,
    identifier: str,
) -> bytes:
    """The EPUB 3 of `sections`: a chapter per column, in the reader's language."""
    language = current_locale().replace("_", "-")
    book = epub.EpubBook()
    book.set_identifier(identifier)
    book.set_title(title)
    book.set_language(language)
    book.add_author(board.title)
    book.add_metadata("DC", "publisher", _("Toolbox"))
    book.add_metadata("DC", "source", absolute_url(base_url, "board", slug=board.slug))
    style = epub.EpubItem(
        uid="style", file_name="style.css", media_type="text/css", content=POCKET_CSS.encode()
    )
    book.add_item(style)
    chapters = []
    for number, section in enumerate(sections, 1):
        chapter = epub.EpubHtml(
            title=section.column.title, file_name=f"column-{number}.xhtml", lang=language
        )
        chapter.content = render_fragment(
            "board/_pocket_section.html", board=board, section=section, base_url=base_url
        )
        chapter.add_item(style)
        book.add_item(chapter)
        chapters.append(chapter)
    book.toc = chapters
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = ["nav", *chapters]
    out = io.BytesIO()
    epub.write_epub(out, book, {"epub3_pages": False})
    return out.getvalue()


POCKET_CSS = """
body { font-family: serif; line-height: 1.45; }
h1 { font-size: 1.4em; }
h2 { font-size: 1.15em; margin-top: 1.4em; }
.meta { font-size: .85em; color: #444; }
.link { word-break: break-all; }
"""
