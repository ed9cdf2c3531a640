"""What other programs read of a card's permalink: Open Graph tags (link previews in chats and
social networks) and schema.org JSON-LD (search engines, the sector's discoverability tools).

Every link here is absolute, from `TOOLBOX_BASE_URL`: these are read away from the page.
"""

from __future__ import annotations

from typing import Any

from toolbox.board.markdown import plain_text
from toolbox.board.models import Board, Card
from toolbox.urls import absolute_url


def card_permalink(base_url: str, board: Board, card: Card) -> str:
    return absolute_url(base_url, "card", slug=board.slug, id=card.id)


def open_graph(base_url: str, board: Board, card: Card, locale: str) -> list[tuple[str, str]]:
    """The page's `og:` properties, in order (escaped by the template as attributes)."""
    tags = [
        ("og:type", "article"),
        ("og:title", card.title),
        ("og:url", card_permalink(base_url, board, card)),
        ("og:site_name", board.title),
        ("og:locale", locale),
    ]
    description = plain_text(card.description)
    if description:
        tags.append(("og:description", description))
    return tags


def learning_resource(base_url: str, board: Board, card: Card) -> dict[str, Any]:
    """The card as a schema.org `LearningResource`: `@id` and `mainEntityOfPage` are the
    permalink; `url` is the resource itself when it has a link."""
    permalink = card_permalink(base_url, board, card)
    document: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "LearningResource",
        "@id": permalink,
        "mainEntityOfPage": permalink,
        "name": card.title,
        "url": card.url or permalink,
        "description": plain_text(card.description),
        "inLanguage": list(card.languages),
        "keywords": [label.name for label in card.labels] + list(card.audiences),
        "learningResourceType": card.kind.value,
        "isPartOf": {
            "@type": "CreativeWork",
            "@id": absolute_url(base_url, "board", slug=board.slug),
            "name": board.title,
        },
        "dateModified": card.updated_at.isoformat(),
    }
    if card.licence:
        document["license"] = card.licence
    if card.source:
        document["author"] = {"@type": "Organization", "name": card.source}
    return document
