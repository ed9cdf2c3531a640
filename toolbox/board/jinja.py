"""The board's filters for the templates, registered by the app at start-up (`toolbox.app`)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any, NamedTuple

from markupsafe import Markup

from toolbox.board.highlight import highlight, snippet
from toolbox.board.markdown import render_markdown
from toolbox.board.models import Kind
from toolbox.board.tiles import CardTile, forget_kept_tiles
from toolbox.i18n import current_locale
from toolbox.i18n import gettext as _
from toolbox.renderings import Part, place_part
from toolbox.templating import render_fragment

#: Cards whose HTML is kept, per process (about half a kilobyte each).
CARD_HTML_KEPT = 20_000
#: Columns whose HTML is kept, per process (about half a kilobyte per card they hold: a 50-card
#: column ≈ 25 KB, so ≈ 6 MB for 256 such; a 250-card column ≈ 125 KB).
COLUMN_HTML_KEPT = 256


def kind_name(kind: Kind | str) -> str:
    """The kind of a resource, in the reader's language (the names live on `Kind`)."""
    return Kind(kind).label


def card_html(card: Any, board: Any, access: Any) -> Markup:
    """One card of a column, as `board/_card.html` draws it.

    A board page draws hundreds of cards and a change touches one or two, so a card read as a
    `CardTile` is drawn once and kept under everything the partial reads: the tile itself
    (title, kind, languages, labels, useful count), the board's address, whether the reader
    curates the board, whether they are signed in (the buttons of their marks, unpressed: a
    person's own marks are never drawn here), and the language. A card read otherwise (the
    live fragments' ORM cards) is drawn each time."""
    reader = _Reader(bool(access.is_facilitator), bool(getattr(access, "signed_in", False)))
    if isinstance(card, CardTile):
        return _kept_card_html(card, board.slug, reader, current_locale())
    return _draw(card, board.slug, reader)


class _Reader(NamedTuple):
    """What the card and column partials ask of who reads them."""

    is_facilitator: bool
    signed_in: bool


# functools' LRU, in C: the lookup is most of what a kept card costs, hundreds of times a page.
@functools.lru_cache(maxsize=CARD_HTML_KEPT)
def _kept_card_html(card: CardTile, slug: str, reader: _Reader, _locale: str) -> Markup:
    return _draw(card, slug, reader)


def _draw(card: Any, slug: str, reader: _Reader) -> Markup:
    html = render_fragment(
        "board/_card.html",
        card=card,
        board=SimpleNamespace(slug=slug),
        access=reader,
        oob=False,
    )
    return Markup(html)  # noqa: S704 - a template's output, escaped by autoescape


def column_html(column: Any, cards: list[Any], board: Any, access: Any) -> Markup:
    """One column with its cards, as `board/_column.html` draws it on the board page.

    As `card_html`, one level up: a change touches one column or two, so a column whose cards
    were read as tiles is kept under everything the partial reads (the column's id, title and
    description, its cards' tiles in order, the board's address, facilitator or not, the
    language). Otherwise drawn each time."""
    reader = _Reader(bool(access.is_facilitator), bool(getattr(access, "signed_in", False)))
    tiles = tuple(cards)
    # A column's cards are all tiles or none (`board_tiles`, or the ORM for a live fragment).
    if not tiles or isinstance(tiles[0], CardTile):
        kept = _kept_column(
            column.id,
            column.title,
            column.description,
            tiles,
            board.slug,
            reader,
            current_locale(),
        )
        # In a shared page, its place: the page takes its bytes as they were kept.
        return Markup(place_part(kept))  # noqa: S704 - a template's output, or the place marker
    return _draw_column(column, cards, board.slug, reader)


@functools.lru_cache(maxsize=COLUMN_HTML_KEPT)
def _kept_column(
    column_id: int,
    title: str,
    description: str,
    tiles: tuple[CardTile, ...],
    slug: str,
    reader: _Reader,
    _locale: str,
) -> Part:
    column = SimpleNamespace(id=column_id, title=title, description=description)
    return Part.of(_draw_column(column, list(tiles), slug, reader))


def _draw_column(column: Any, cards: list[Any], slug: str, reader: _Reader) -> Markup:
    html = render_fragment(
        "board/_column.html",
        column=column,
        cards={column.id: cards},
        board=SimpleNamespace(slug=slug),
        access=reader,
        oob=False,
    )
    return Markup(html)  # noqa: S704 - a template's output, escaped by autoescape


def colour_name(colour: str) -> str:
    """A label's colour from the palette (`schemas.LABEL_PALETTE`), in the reader's language."""
    names = {
        "grey": _("Grey"),
        "green": _("Green"),
        "lime": _("Lime"),
        "yellow": _("Yellow"),
        "orange": _("Orange"),
        "red": _("Red"),
        "pink": _("Pink"),
        "purple": _("Purple"),
        "blue": _("Blue"),
        "sky": _("Sky blue"),
    }
    return names.get(colour, colour)


def forget_drawn() -> None:
    """Forget every card and column drawn, and the tiles kept (a benchmark's cold render)."""
    _kept_card_html.cache_clear()
    _kept_column.cache_clear()
    forget_kept_tiles()


FILTERS: dict[str, Callable[..., Any]] = {
    "column_html": column_html,
    "markdown": render_markdown,
    "kind_name": kind_name,
    "card_html": card_html,
    "highlight": highlight,
    "snippet": snippet,
    "colour_name": colour_name,
}
