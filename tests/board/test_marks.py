"""Favourites and useful marks: the services on both databases (each test rolled back), then the
API, the pages without JavaScript and the live count through a real server.

A favourite is private: no event, never in a page another person is served. A useful mark is
public as a number only: the `card.useful` event carries the count, not who.
"""

from __future__ import annotations

import asyncio
import re

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.accounts.builders import new_person
from tests.board.builders import (
    access_of,
    events_of,
    fresh,
    new_board,
    new_card,
    new_column,
    rows_of,
)
from tests.factories import (
    bearer,
    make_board,
    make_card,
    make_column,
    make_member,
    make_user,
    origin,
    signed_in,
)
from tests.live.test_websocket import receive_events, socket
from tests.servers import LiveServer
from tests.transactions import refused
from toolbox.board.cards import archive_card
from toolbox.board.marks import my_favourites, my_marks, set_favourite, set_useful
from toolbox.board.models import Card, Favourite, Role, UsefulMark
from toolbox.db import Database
from toolbox.errors import Forbidden, NotFound, NotSignedIn
from toolbox.renderings import PERSONAL

FRENCH = {"Accept-Language": "fr-CA"}


# The services


async def test_a_useful_mark_counts_once_per_person_and_says_only_the_count(
    session: AsyncSession,
) -> None:
    facilitator = await new_person(session)
    board = await new_board(session, facilitator=facilitator)
    column = await new_column(session, board, facilitator, "Outils")
    card = await new_card(session, board, column, facilitator, title="Autodiagnostic")
    alice, bob = await new_person(session), await new_person(session)
    seq = (await fresh(session, board)).seq

    assert (
        await set_useful(session, await access_of(session, board, alice), card.id, on=True)
    ).useful == 1
    assert (
        await set_useful(session, await access_of(session, board, alice), card.id, on=True)
    ).useful == 1
    assert (
        await set_useful(session, await access_of(session, board, bob), card.id, on=True)
    ).useful == 2
    assert (
        await set_useful(session, await access_of(session, board, alice), card.id, on=False)
    ).useful == 1
    assert (
        await set_useful(session, await access_of(session, board, alice), card.id, on=False)
    ).useful == 1

    events = await events_of(session, board, seq)
    assert [(event.type, event.data) for event in events] == [
        (
            "card.useful",
            {
                "card_id": card.id,
                "column_id": column.id,
                "title": "Autodiagnostic",
                "useful": useful,
            },
        )
        for useful in (1, 2, 1)
    ]
    assert {event.actor_id for event in events} == {None}  # who marked it is not recorded
    marks = await my_marks(session, board.slug, bob)
    assert marks.useful == {card.id} and marks.favourites == frozenset()


async def test_a_favourite_is_private_no_event_and_listed_for_its_owner_only(
    session: AsyncSession,
) -> None:
    facilitator = await new_person(session)
    board = await new_board(session, facilitator=facilitator)
    column = await new_column(session, board, facilitator, "Outils")
    kept = await new_card(session, board, column, facilitator, title="Gardée")
    archived = await new_card(session, board, column, facilitator, title="Archivée")
    alice, bob = await new_person(session), await new_person(session)
    seq = (await fresh(session, board)).seq
    access = await access_of(session, board, alice)
    for card in (kept, archived, kept):
        await set_favourite(session, access, card.id, on=True)
    assert (await fresh(session, board)).seq == seq  # nobody else is told
    assert await events_of(session, board, seq) == []
    await archive_card(session, await access_of(session, board, facilitator), archived.id)

    assert [card.title for card, _board in await my_favourites(session, alice)] == ["Gardée"]
    assert await my_favourites(session, bob) == []
    assert (await my_marks(session, board.slug, alice)).favourites == {kept.id, archived.id}
    await set_favourite(session, access, kept.id, on=False)
    await set_favourite(session, access, kept.id, on=False)
    assert await my_favourites(session, alice) == []


async def test_marks_are_refused_to_visitors_outsiders_and_on_hidden_cards(
    session: AsyncSession,
) -> None:
    facilitator = await new_person(session)
    closed = await new_board(session, public=False, facilitator=facilitator)
    secret = await new_card(
        session, closed, await new_column(session, closed, facilitator, "C"), facilitator
    )
    public = await new_board(session, facilitator=facilitator)
    column = await new_column(session, public, facilitator, "Outils")
    card = await new_card(session, public, column, facilitator)
    outsider = await new_person(session)
    visitor = await access_of(session, public, None)
    before = (await rows_of(session, Favourite), await rows_of(session, UsefulMark))

    await refused(session, set_favourite(session, visitor, card.id, on=True), NotSignedIn)
    await refused(session, set_useful(session, visitor, card.id, on=True), NotSignedIn)
    outside = await access_of(session, closed, outsider)
    await refused(session, set_useful(session, outside, secret.id, on=True), Forbidden)
    await refused(session, set_favourite(session, outside, secret.id, on=True), Forbidden)
    # A card of another board, named through this one.
    mine = await access_of(session, public, outsider)
    await refused(session, set_useful(session, mine, secret.id, on=True), NotFound)
    await archive_card(session, await access_of(session, public, facilitator), card.id)
    await refused(session, set_favourite(session, mine, card.id, on=True), NotFound)

    assert (await rows_of(session, Favourite), await rows_of(session, UsefulMark)) == before
    assert (await session.get(Card, secret.id)).useful == 0  # type: ignore[union-attr]


# Through a real server


async def test_the_api_stars_and_marks_and_every_card_document_has_the_count(
    db: Database, client: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    column = await make_column(db, board, facilitator, "Outils")
    card = await make_card(db, board, column, facilitator, title="Gabarit")
    alice = await make_member(db, board, Role.participant)
    bob = await make_member(db, board, Role.participant)
    a, b = await bearer(db, alice), await bearer(db, bob)

    anonymous = await client.put(f"/api/v1/cards/{card.id}/useful", headers=FRENCH)
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["message"] == "Connectez-vous pour faire cela."

    starred = await client.put(f"/api/v1/cards/{card.id}/favourite", headers=a)
    assert starred.status_code == 200 and starred.json() == {"card_id": card.id, "favourite": True}
    listed = (await client.get("/api/v1/me/favourites", headers=a)).json()["favourites"]
    assert [(item["board"], item["card"]["title"]) for item in listed] == [(board.slug, "Gabarit")]
    assert (await client.get("/api/v1/me/favourites", headers=b)).json() == {"favourites": []}

    for auth, expected in ((a, 1), (a, 1), (b, 2)):
        marked = await client.put(f"/api/v1/cards/{card.id}/useful", headers=auth)
        assert marked.json() == {"card_id": card.id, "marked": True, "useful": expected}
    assert (await client.get(f"/api/v1/cards/{card.id}")).json()["useful"] == 2
    document = (await client.get(f"/api/v1/boards/{board.slug}")).json()
    assert document["columns"][0]["cards"][0]["useful"] == 2
    taken_back = await client.delete(f"/api/v1/cards/{card.id}/useful", headers=b)
    assert taken_back.json() == {"card_id": card.id, "marked": False, "useful": 1}
    unstarred = await client.delete(f"/api/v1/cards/{card.id}/favourite", headers=a)
    assert unstarred.json()["favourite"] is False
    assert (await client.get("/api/v1/me/favourites", headers=a)).json() == {"favourites": []}

    missing = await client.put("/api/v1/cards/2147483000/useful", headers={**a, **FRENCH})
    assert missing.status_code == 404 and "ressource" in missing.json()["error"]["message"]
    closed = await make_board(db, public=False, facilitator=facilitator)
    secret = await make_card(db, closed, await make_column(db, closed, facilitator), facilitator)
    refused_mark = await client.put(f"/api/v1/cards/{secret.id}/useful", headers=a)
    assert refused_mark.status_code == 403
    assert (
        await client.get(f"/api/v1/cards/{secret.id}", headers=await bearer(db, facilitator))
    ).json()["useful"] == 0


def shared_part(page: str) -> str:
    """A page without its personal part, the account menu."""
    before, _nav, rest = page.partition('<nav aria-label="')
    return before + rest.split("</nav>", 1)[1]


async def test_a_favourite_never_reaches_a_page_someone_else_is_served(
    db: Database, server: LiveServer
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    column = await make_column(db, board, facilitator, "Outils")
    first = await make_card(db, board, column, facilitator, title="Première")
    second = await make_card(db, board, column, facilitator, title="Seconde")
    alice = await make_member(db, board, Role.participant)
    bob = await make_member(db, board, Role.participant)
    async with (
        httpx.AsyncClient(base_url=server.url) as as_alice,
        httpx.AsyncClient(base_url=server.url) as as_bob,
        httpx.AsyncClient(base_url=server.url) as visitor,
    ):
        await signed_in(as_alice, alice)
        await signed_in(as_bob, bob)
        # Without JavaScript: the form stars the card and sends Alice back to it.
        plain = await as_alice.post(
            f"/b/{board.slug}/cards/{second.id}/favourite",
            data={"on": "1"},
            headers=origin(as_alice),
        )
        assert plain.status_code == 303
        assert plain.headers["location"] == f"/b/{board.slug}#card-{second.id}"
        # With htmx: the card's marks come back pressed, for her alone.
        clicked = await as_alice.post(
            f"/b/{board.slug}/cards/{first.id}/useful",
            data={"on": "1"},
            headers={**origin(as_alice), "HX-Request": "true"},
        )
        assert clicked.status_code == 200 and "data-personal" in clicked.text
        assert re.search(r'data-mark="useful"[^>]*aria-pressed="true"', clicked.text)
        assert 'data-useful="1"' in clicked.text

        alices = (await as_alice.get(f"/b/{board.slug}")).text
        bobs = (await as_bob.get(f"/b/{board.slug}")).text
        visitors = (await visitor.get(f"/b/{board.slug}")).text
        # Her marks are a document of their own, never part of the page.
        hers = await as_alice.get(f"/b/{board.slug}/mine.json")
        assert hers.json() == {"favourite": [second.id], "useful": [first.id]}
        assert "no-store" in hers.headers["cache-control"]
        assert (await as_bob.get(f"/b/{board.slug}/mine.json")).json() == {
            "favourite": [],
            "useful": [],
        }
        assert (await visitor.get(f"/b/{board.slug}/mine.json")).json() == {
            "favourite": [],
            "useful": [],
        }
    assert 'id="my-marks"' in alices and 'id="my-marks"' not in visitors
    assert 'data-mark="favourite"' not in visitors
    assert "1 personne la trouve utile" in visitors  # the count is public
    # Everything but the account menu is the same bytes for Alice and Bob: no star in it.
    assert shared_part(alices) == shared_part(bobs)
    assert 'aria-pressed="true"' not in shared_part(alices) and PERSONAL not in alices


async def test_the_board_sorts_by_usefulness_and_the_count_is_live_for_everyone(
    db: Database, server: LiveServer, client: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    column = await make_column(db, board, facilitator, "Outils")
    cards = [
        await make_card(db, board, column, facilitator, title=t) for t in ("Un", "Deux", "Trois")
    ]
    people = [await make_member(db, board, Role.participant) for _ in range(2)]
    seq = (await client.get(f"/api/v1/boards/{board.slug}")).json()["seq"]
    async with socket(server, board.slug, resume=seq) as watcher:
        await asyncio.sleep(0.2)
        for person in people:
            await client.put(
                f"/api/v1/cards/{cards[2].id}/useful", headers=await bearer(db, person)
            )
        await client.put(f"/api/v1/cards/{cards[1].id}/useful", headers=await bearer(db, people[0]))
        events = await receive_events(watcher, 3)
    assert [(e["type"], e["data"]) for e in events] == [
        (
            "card.useful",
            {"card_id": cards[2].id, "column_id": column.id, "title": "Trois", "useful": 1},
        ),
        (
            "card.useful",
            {"card_id": cards[2].id, "column_id": column.id, "title": "Trois", "useful": 2},
        ),
        (
            "card.useful",
            {"card_id": cards[1].id, "column_id": column.id, "title": "Deux", "useful": 1},
        ),
    ]
    assert all(set(e) == {"seq", "type", "at", "data"} for e in events)  # no actor

    def order(page: str) -> list[str]:
        return [t for t in re.findall(r'class="card-title"[^>]*>([^<]+)<', page)]

    assert order((await client.get(f"/b/{board.slug}")).text) == ["Un", "Deux", "Trois"]
    assert order((await client.get(f"/b/{board.slug}?sort=useful")).text) == ["Trois", "Deux", "Un"]
    assert order((await client.get(f"/b/{board.slug}?sort=nonsense")).text) == [
        "Un",
        "Deux",
        "Trois",
    ]
