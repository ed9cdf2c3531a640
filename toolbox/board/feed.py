"""A board's Atom feed (RFC 4287): its newest and latest edited resources, for feed readers.

Entry ids are tag URIs (RFC 4151) made of the board's and the card's ids, so they stay the same
through every edit and move; links are absolute, from `TOOLBOX_BASE_URL`. A members-only board's
feed is read with the person's private feed link (`toolbox.accounts.private_links`): feed readers
sign in to nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from toolbox.accounts.private_links import private_token
from toolbox.board.access import BoardAccess
from toolbox.board.discovery import card_permalink
from toolbox.board.markdown import plain_text, render_markdown
from toolbox.board.models import Board, BoardColumn, Card, Visibility
from toolbox.principal import Principal
from toolbox.urls import absolute_url

ATOM = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml; charset=utf-8"
#: A feed reader wants what is new; the board itself holds the rest.
ENTRIES = 50
#: Characters XML 1.0 cannot carry at all (a pasted control character would make the whole
#: feed unreadable).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def feed_url(base_url: str, secret_key: str, board: Board, user: Principal | None) -> str:
    """The feed's address: for a members-only board, with the person's private token."""
    url = absolute_url(base_url, "board_feed", slug=board.slug)
    if board.visibility == Visibility.public or user is None:
        return url
    return f"{url}?token={private_token(secret_key, user, 'feed')}"


async def newest_cards(session: AsyncSession, board: Board) -> Sequence[Card]:
    query = (
        select(Card)
        .join(BoardColumn, BoardColumn.id == Card.column_id)
        .where(
            Card.board_id == board.id,
            Card.archived_at.is_(None),
            BoardColumn.archived_at.is_(None),
        )
        .order_by(Card.updated_at.desc(), Card.id.desc())
        .limit(ENTRIES)
    )
    return list(await session.scalars(query))


def _text(parent: ET.Element, tag: str, text: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    element.text = _NOT_XML.sub("", text)
    return element


def _link(parent: ET.Element, href: str, rel: str, media_type: str = "") -> None:
    attributes = {"href": href, "rel": rel}
    if media_type:
        attributes["type"] = media_type
    ET.SubElement(parent, f"{{{ATOM}}}link", attributes)


def _when(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def board_tag(base_url: str, board: Board, specific: str) -> str:
    """A tag URI (RFC 4151) of something of the board: the same as long as the board exists."""
    host = urlsplit(base_url).hostname or "localhost"
    return f"tag:{host},{board.created_at:%Y-%m-%d}:{specific}"


async def board_feed(
    session: AsyncSession, access: BoardAccess, *, base_url: str, self_url: str
) -> bytes:
    """The Atom document of the board `access` may read."""
    board = access.board
    cards = await newest_cards(session, board)
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _text(feed, "id", board_tag(base_url, board, f"board-{board.id}"))
    _text(feed, "title", board.title)
    if board.description:
        _text(feed, "subtitle", plain_text(board.description))
    updated = max((card.updated_at for card in cards), default=board.created_at)
    _text(feed, "updated", _when(updated))
    _link(feed, self_url, "self", "application/atom+xml")
    _link(feed, absolute_url(base_url, "board", slug=board.slug), "alternate", "text/html")
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", board.title)
    _text(feed, "generator", "Toolbox")
    for card in cards:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _text(entry, "id", board_tag(base_url, board, f"board-{board.id}/card-{card.id}"))
        _text(entry, "title", card.title)
        _text(entry, "published", _when(card.created_at))
        _text(entry, "updated", _when(card.updated_at))
        _link(entry, card_permalink(base_url, board, card), "alternate", "text/html")
        if card.url:
            _link(entry, card.url, "related")
        if card.source:
            entry_author = ET.SubElement(entry, f"{{{ATOM}}}author")
            _text(entry_author, "name", card.source)
        ET.SubElement(
            entry, f"{{{ATOM}}}category", {"term": card.kind.value, "label": card.kind.label}
        )
        for label in card.labels:
            ET.SubElement(entry, f"{{{ATOM}}}category", {"term": _NOT_XML.sub("", label.name)})
        if card.description:
            _text(entry, "summary", plain_text(card.description))
            _text(entry, "content", str(render_markdown(card.description)), type="html")
    document: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return document
