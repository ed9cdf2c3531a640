"""The board's filters for the templates, registered by the app at start-up (`toolbox.app`)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from markupsafe import Markup

from toolbox.board.markdown import render_markdown
from toolbox.board.models import Kind
from toolbox.board.tiles import CardTile
from toolbox.i18n import current_locale
from toolbox.templating import render_fragment

#: Cards whose HTML is kept, per process (about half a kilobyte each).
CARD_HTML_KEPT = 20_000


def kind_name(kind: Kind | str) -> str:
    """The kind of a resource, in the reader's language (the names live on `Kind`)."""
    return Kind(kind).label


def card_html(card: Any, board: Any, access: Any) -> Markup:
    """One card of a column, as `board/_card.html` draws it.

    A board page draws hundreds of cards and a change touches one or two, so a card read as a
    `CardTile` is drawn once and kept under everything the partial reads: the tile itself
    (title, kind, languages, labels), the board's address, whether the reader curates the
    board, and the language. A card read otherwise (the live fragments' ORM cards) is drawn
    each time."""
    facilitator = bool(access.is_facilitator)
    if isinstance(card, CardTile):
        return _kept_card_html(card, board.slug, facilitator, current_locale())
    return _draw(card, board.slug, facilitator)


# functools' LRU, in C: the lookup is most of what a kept card costs, hundreds of times a page.
@functools.lru_cache(maxsize=CARD_HTML_KEPT)
def _kept_card_html(card: CardTile, slug: str, facilitator: bool, _locale: str) -> Markup:
    return _draw(card, slug, facilitator)


def _draw(card: Any, slug: str, facilitator: bool) -> Markup:
    html = render_fragment(
        "board/_card.html",
        card=card,
        board={"slug": slug},
        access={"is_facilitator": facilitator},
        oob=False,
    )
    return Markup(html)  # noqa: S704 - a template's output, escaped by autoescape


FILTERS: dict[str, Callable[..., Any]] = {
    "markdown": render_markdown,
    "kind_name": kind_name,
    "card_html": card_html,
}
