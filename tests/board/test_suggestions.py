"""Suggestions: proposed by participants, triaged by facilitators. The services on both databases
(each test rolled back), then the API, the pages and the live count through a real server."""

from __future__ import annotations

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
from tests.live.test_websocket import quiet, receive_events, socket
from tests.servers import LiveServer
from tests.transactions import refused
from toolbox.board.models import Card, Role, Suggestion, SuggestionStatus
from toolbox.board.schemas import AcceptSuggestion, DeclineSuggestion, SuggestionIn
from toolbox.board.suggestions import (
    PENDING_MAX,
    accept,
    board_suggestions,
    decline,
    my_suggestions,
    suggest,
)
from toolbox.db import Database
from toolbox.errors import Conflict, Forbidden, NotFound, NotSignedIn

FRENCH = {"Accept-Language": "fr-CA"}


async def test_a_suggestion_accepted_becomes_the_card_the_facilitator_edited(
    session: AsyncSession,
) -> None:
    facilitator = await new_person(session)
    board = await new_board(session, facilitator=facilitator)
    first = await new_column(session, board, facilitator, "Outils")
    second = await new_column(session, board, facilitator, "Guides")
    await new_card(
        session, board, first, facilitator, title="Déjà là", url="https://www.example.org/guide/"
    )
    alice = await new_person(session)
    seq = (await fresh(session, board)).seq
    mine = await access_of(session, board, alice)
    twice = await suggest(
        session, mine, SuggestionIn(title="Guide bis", url="http://example.org/guide", why="")
    )
    fresh_one = await suggest(
        session, mine, SuggestionIn(title="Gabarit", url="https://example.org/g", why="Clair.")
    )
    views = {view.suggestion.title: view for view in await board_suggestions(session, mine)}
    assert views["Guide bis"].already_on_board and not views["Gabarit"].already_on_board

    facilitating = await access_of(session, board, facilitator)
    accepted = await accept(
        session,
        facilitating,
        fresh_one.id,
        AcceptSuggestion(column_id=second.id, title="Gabarit CC", kind="template"),
    )
    card = await session.get(Card, accepted.card_id)
    assert card is not None and card.column_id == second.id
    assert (card.title, card.url, card.description, card.kind.value) == (
        "Gabarit CC",
        "https://example.org/g",
        "Clair.",
        "template",
    )
    declined = await decline(session, facilitating, twice.id, DeclineSuggestion(reason="Doublon"))
    assert (declined.status, declined.reason) == (SuggestionStatus.declined, "Doublon")

    events = [(event.type, event.data) for event in await events_of(session, board, seq)]
    assert [kind for kind, _data in events] == [
        "suggestion.created",
        "suggestion.created",
        "card.created",
        "suggestion.accepted",
        "suggestion.declined",
    ]
    assert [data["pending"] for kind, data in events if kind.startswith("suggestion.")] == [
        1,
        2,
        1,
        0,
    ]
    assert all("Doublon" not in str(data) for _kind, data in events)  # the reason stays put
    assert [view.suggestion.status for view in await my_suggestions(session, alice)] == [
        SuggestionStatus.accepted,
        SuggestionStatus.declined,
    ]


async def test_refusals_write_nothing(session: AsyncSession) -> None:
    facilitator = await new_person(session)
    board = await new_board(session, facilitator=facilitator)
    other = await new_board(session, facilitator=facilitator)
    elsewhere = await new_column(session, other, facilitator, "Ailleurs")
    alice, bob = await new_person(session), await new_person(session)
    mine = await access_of(session, board, alice)
    data = SuggestionIn(title="Ressource", url=None, why="")
    for _n in range(PENDING_MAX):
        await suggest(session, mine, data)
    before = await rows_of(session, Suggestion)
    error = await refused(session, suggest(session, mine, data), Conflict)
    assert error.code == "too_many_suggestions"
    await refused(
        session, suggest(session, await access_of(session, board, None), data), NotSignedIn
    )
    assert await rows_of(session, Suggestion) == before
    # Another person's limit is their own.
    await suggest(session, await access_of(session, board, bob), data)

    first = (await board_suggestions(session, mine))[0].suggestion
    await refused(
        session,
        accept(session, mine, first.id, AcceptSuggestion(column_id=elsewhere.id)),
        Forbidden,
    )
    facilitating = await access_of(session, board, facilitator)
    await refused(
        session,
        accept(session, facilitating, first.id, AcceptSuggestion(column_id=elsewhere.id)),
        NotFound,
    )
    assert (await session.get(Suggestion, first.id)).status == SuggestionStatus.pending  # type: ignore[union-attr]
    assert await board_suggestions(session, await access_of(session, board, bob)) != []
    assert len(await board_suggestions(session, await access_of(session, board, bob))) == 1
    await decline(session, facilitating, first.id, DeclineSuggestion(reason="Non"))
    error = await refused(
        session, decline(session, facilitating, first.id, DeclineSuggestion(reason="Non")), Conflict
    )
    assert error.code == "already_decided"


async def test_the_api_proposes_lists_and_decides_with_bad_input_refused(
    db: Database, client: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    column = await make_column(db, board, facilitator, "Outils")
    alice = await make_member(db, board, Role.participant)
    bob = await make_member(db, board, Role.participant)
    a, f = await bearer(db, alice), await bearer(db, facilitator)
    url = f"/api/v1/boards/{board.slug}/suggestions"

    bad_link = await client.post(
        url, json={"title": "X", "url": "javascript:alert(1)"}, headers={**a, **FRENCH}
    )
    assert bad_link.status_code == 422 and bad_link.json()["error"]["field"] == "url"
    assert "http" in bad_link.json()["error"]["message"]
    anonymous = await client.post(url, json={"title": "X"})
    assert anonymous.status_code == 401
    made = await client.post(
        url, json={"title": "Lexique", "url": "https://example.org/l", "why": "Utile"}, headers=a
    )
    assert made.status_code == 201, made.text
    suggestion = made.json()
    assert (suggestion["status"], suggestion["card_id"], suggestion["reason"]) == (
        "pending",
        None,
        None,
    )

    assert (await client.get(url, headers=await bearer(db, bob))).json() == {
        "suggestions": [],
        "pending": 0,
    }
    listed = (await client.get(url, headers=f)).json()
    assert listed["pending"] == 1 and listed["suggestions"][0]["proposer"] == alice.display_name

    decide = f"/api/v1/suggestions/{suggestion['id']}"
    too_long = await client.post(
        f"{decide}/decline", json={"reason": "x" * 10_000}, headers={**f, **FRENCH}
    )
    assert too_long.status_code == 422 and too_long.json()["error"]["field"] == "reason"
    empty = await client.post(f"{decide}/decline", json={"reason": "  "}, headers={**f, **FRENCH})
    assert empty.status_code == 422 and "Dites pourquoi" in empty.json()["error"]["message"]
    by_proposer = await client.post(f"{decide}/accept", json={"column_id": column.id}, headers=a)
    assert by_proposer.status_code == 403
    by_outsider = await client.post(
        f"{decide}/decline", json={"reason": "Non"}, headers=await bearer(db, bob)
    )
    assert by_outsider.status_code == 404  # not theirs to know of
    assert (await client.get(url, headers=f)).json()["pending"] == 1  # nothing was written

    accepted = await client.post(
        f"{decide}/accept", json={"column_id": column.id, "title": "Lexique de poche"}, headers=f
    )
    assert accepted.status_code == 200, accepted.text
    card_id = accepted.json()["card_id"]
    card = (await client.get(f"/api/v1/cards/{card_id}")).json()
    assert (card["title"], card["url"], card["column_id"]) == (
        "Lexique de poche",
        "https://example.org/l",
        column.id,
    )
    again = await client.post(f"{decide}/accept", json={"column_id": column.id}, headers=f)
    assert again.status_code == 409
    seen = (await client.get(url, headers=a)).json()["suggestions"][0]
    assert (seen["status"], seen["card_id"]) == ("accepted", card_id)


async def test_from_the_board_to_the_inbox_with_a_live_count_and_back_to_me(
    db: Database, server: LiveServer, client: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    column = await make_column(db, board, facilitator, "Outils")
    await make_card(db, board, column, facilitator, title="Déjà", url="https://example.org/deja")
    alice = await make_member(db, board, Role.participant)
    seq = (await client.get(f"/api/v1/boards/{board.slug}")).json()["seq"]
    facilitating = await bearer(db, facilitator)
    participating = await bearer(db, alice)
    async with (
        socket(server, board.slug, resume=seq, headers=facilitating) as facilitators,
        socket(server, board.slug, resume=seq, headers=participating) as participants,
        httpx.AsyncClient(base_url=server.url) as browser,
    ):
        await signed_in(browser, alice)
        page = (await browser.get(f"/b/{board.slug}")).text
        assert "Suggérer une ressource" in page
        sent = await browser.post(
            f"/b/{board.slug}/suggestions",
            data={"title": "Déjà vu", "url": "https://example.org/deja/", "why": "<b>À voir</b>"},
            headers={**origin(browser), "HX-Request": "true"},
        )
        assert sent.status_code == 200 and "Merci" in sent.text
        wrong = await browser.post(
            f"/b/{board.slug}/suggestions",
            data={"title": "", "url": ""},
            headers={**origin(browser), "HX-Request": "true"},
        )
        assert wrong.status_code == 422 and 'role="alert"' in wrong.text
        plain = await browser.post(
            f"/b/{board.slug}/suggestions", data={"title": "Sans JS"}, headers=origin(browser)
        )
        assert plain.status_code == 303 and plain.headers["location"] == "/me#my-suggestions"

        (created, _second) = await receive_events(facilitators, 2)
        assert created["type"] == "suggestion.created" and created["data"]["pending"] == 1
        assert not [frame for frame in await quiet(participants) if "suggestion" in frame]

        manage = await client.get(f"/b/{board.slug}/manage", headers={**facilitating, **FRENCH})
        assert "2 en attente" in manage.text and "Ce lien est déjà sur le tableau." in manage.text
        assert "&lt;b&gt;À voir&lt;/b&gt;" in manage.text
        history = await client.get(
            f"/b/{board.slug}/manage",
            params={"kind": "suggestion"},
            headers={**facilitating, **FRENCH},
        )
        assert "Nouvelle suggestion de" in history.text and "Carte « Déjà »" not in history.text
    async with httpx.AsyncClient(base_url=server.url) as desk:
        await signed_in(desk, facilitator)
        listed = (await desk.get(f"/api/v1/boards/{board.slug}/suggestions")).json()["suggestions"]
        ids = {s["title"]: s["id"] for s in listed}
        declined = await desk.post(
            f"/b/{board.slug}/suggestions/{ids['Déjà vu']}/decline",
            data={"reason": "Déjà sur le tableau"},
            headers=origin(desk),
        )
        assert declined.status_code == 303
        accepted = await desk.post(
            f"/b/{board.slug}/suggestions/{ids['Sans JS']}/accept",
            data={"column_id": str(column.id), "title": "Avec JS", "kind": "tool"},
            headers=origin(desk),
        )
        assert accepted.status_code == 303
    me = (await browser_me(server, alice)).text
    assert "Refusée" in me and "Déjà sur le tableau" in me and "Acceptée" in me
    assert "Avec JS" in (await client.get(f"/b/{board.slug}")).text


async def browser_me(server: LiveServer, user: object) -> httpx.Response:
    async with httpx.AsyncClient(base_url=server.url) as browser:
        await signed_in(browser, user)  # type: ignore[arg-type]
        return await browser.get("/me", headers=FRENCH)
