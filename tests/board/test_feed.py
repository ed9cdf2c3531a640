"""`/b/{slug}/feed.atom`, read by feedparser as a feed reader reads it: valid, stable entry ids,
absolute links from TOOLBOX_BASE_URL; a members-only board's only with a member's private link."""

from __future__ import annotations

import re

import feedparser
import httpx

from tests.board.conftest import BASE_URL
from tests.factories import bearer, make_board, make_card, make_column, make_member, make_user
from toolbox.accounts.private_links import private_token
from toolbox.board.models import Role
from toolbox.db import Database


def read_feed(answer: httpx.Response) -> feedparser.FeedParserDict:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/atom+xml; charset=utf-8"
    parsed = feedparser.parse(answer.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


async def test_a_public_boards_feed_lists_new_and_edited_resources_with_stable_ids(
    db: Database, reader: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    column = await make_column(db, board, facilitator, "Guides")
    first = await make_card(
        db,
        board,
        column,
        facilitator,
        title="Guide & \x01<métadonnées>",
        url="https://example.org/guide?a=1&b=2",
        description="**Gras** et <script>alert(1)</script>",
        labels=["Données"],
    )
    second = await make_card(db, board, column, facilitator, title="Lexique")
    parsed = read_feed(await reader.get(f"/b/{board.slug}/feed.atom"))
    assert parsed.feed.title == "Tableau d’essai"
    assert parsed.feed.link == f"{BASE_URL}/b/{board.slug}"
    assert [entry.title for entry in parsed.entries] == ["Lexique", "Guide & <métadonnées>"]
    guide = parsed.entries[1]
    assert guide.link == f"{BASE_URL}/b/{board.slug}/cards/{first.id}"
    assert [link.href for link in guide.links if link.rel == "related"] == [
        "https://example.org/guide?a=1&b=2"
    ]
    assert (
        "<strong>Gras</strong>" in guide.content[0].value
        and "<script" not in guide.content[0].value
    )
    assert {tag.term for tag in guide.tags} == {"other", "Données"}
    ids = {entry.title: entry.id for entry in parsed.entries}
    assert all(
        re.fullmatch(r"tag:boite\.example\.org,\d{4}-\d\d-\d\d:board-\d+/card-\d+", i)
        for i in ids.values()
    )

    auth = await bearer(db, facilitator)
    edited = await reader.patch(
        f"/api/v1/cards/{first.id}", json={"version": 1, "title": "Guide revu"}, headers=auth
    )
    assert edited.status_code == 200, edited.text
    again = read_feed(await reader.get(f"/b/{board.slug}/feed.atom"))
    assert [entry.title for entry in again.entries] == ["Guide revu", "Lexique"]
    assert again.entries[0].id == ids["Guide & <métadonnées>"]  # the same entry, updated
    assert again.entries[1].id == ids["Lexique"]
    assert again.entries[0].updated_parsed >= again.entries[1].updated_parsed

    archived = await reader.delete(f"/api/v1/cards/{second.id}", headers=auth)
    assert archived.status_code == 200
    last = read_feed(await reader.get(f"/b/{board.slug}/feed.atom"))
    assert [entry.title for entry in last.entries] == ["Guide revu"]


async def test_a_members_only_boards_feed_needs_a_members_private_link(
    db: Database, reader: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, public=False, facilitator=facilitator)
    column = await make_column(db, board, facilitator)
    await make_card(db, board, column, facilitator, title="Ressource réservée")
    participant = await make_member(db, board, Role.participant)
    outsider = await make_user(db)

    anonymous = await reader.get(f"/b/{board.slug}/feed.atom")
    assert anonymous.status_code in {303, 401} and "réservée" not in anonymous.text

    me = await reader.get("/me", headers={**await bearer(db, participant), "Accept-Language": "en"})
    assert "My feeds" in me.text
    links = re.findall(r"<code>(https://boite\.example\.org/b/[^<]+)</code>", me.text)
    (link,) = [url for url in links if f"/b/{board.slug}/" in url]
    link = link.replace("&amp;", "&")
    assert "?token=" in link
    private = read_feed(await reader.get(link.removeprefix(BASE_URL)))
    assert [entry.title for entry in private.entries] == ["Ressource réservée"]
    assert private.feed.links[0].href == link  # rel="self", with the token

    forged = await reader.get(
        f"/b/{board.slug}/feed.atom?token={participant.id}-0000", headers={"Accept-Language": "en"}
    )
    assert forged.status_code == 404
    assert "This feed link is not valid" in forged.text and "réservée" not in forged.text
    # A real link of someone who is no member (the server's secret key is the tests' own).
    outsiders = (
        f"/b/{board.slug}/feed.atom?token={private_token('test-secret-key', outsider, 'feed')}"
    )
    refused = await reader.get(outsiders)
    assert refused.status_code == 403 and "réservée" not in refused.text
