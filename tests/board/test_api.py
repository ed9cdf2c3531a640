"""The JSON API for boards, columns and cards, through a real server."""

from __future__ import annotations

import httpx

from tests.factories import bearer, make_board, make_card, make_column, make_member, make_user
from toolbox.board.models import Role
from toolbox.db import Database


async def facilitated_board(db: Database):  # type: ignore[no-untyped-def]
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    return board, facilitator, await bearer(db, facilitator)


async def test_board_lists_columns_and_cards_in_order(
    db: Database, client: httpx.AsyncClient
) -> None:
    board, facilitator, _auth = await facilitated_board(db)
    first = await make_column(db, board, facilitator, "Premiers pas")
    second = await make_column(db, board, facilitator, "Stratégie")
    a = await make_card(db, board, first, facilitator, title="A")
    b = await make_card(db, board, first, facilitator, title="B", index=0)
    response = await client.get(f"/api/v1/boards/{board.slug}")
    assert response.status_code == 200
    document = response.json()
    assert [c["title"] for c in document["columns"]] == ["Premiers pas", "Stratégie"]
    assert [c["id"] for c in document["columns"][0]["cards"]] == [b.id, a.id]
    assert document["seq"] >= 5
    assert second.id == document["columns"][1]["id"]


async def test_create_move_patch_archive_restore_card(
    db: Database, client: httpx.AsyncClient
) -> None:
    board, facilitator, auth = await facilitated_board(db)
    left = await make_column(db, board, facilitator)
    right = await make_column(db, board, facilitator)
    created = await client.post(
        f"/api/v1/boards/{board.slug}/cards",
        json={
            "column_id": left.id,
            "title": "Lexique",
            "url": "https://example.org/lexique",
            "kind": "glossary",
            "languages": ["fr"],
            "labels": ["Débutant"],
        },
        headers=auth,
    )
    assert created.status_code == 201, created.text
    card = created.json()
    assert card["version"] == 1 and card["labels"][0]["name"] == "Débutant"

    other = await make_card(db, board, right, facilitator, title="Autre")
    moved = await client.post(
        f"/api/v1/cards/{card['id']}/move", json={"column_id": right.id, "index": 0}, headers=auth
    )
    assert moved.status_code == 200 and moved.json()["column_id"] == right.id
    listing = (await client.get(f"/api/v1/boards/{board.slug}")).json()
    assert [c["id"] for c in listing["columns"][1]["cards"]] == [card["id"], other.id]

    patched = await client.patch(
        f"/api/v1/cards/{card['id']}",
        json={"version": 1, "title": "Lexique de poche"},
        headers=auth,
    )
    assert patched.status_code == 200 and patched.json()["version"] == 2

    stale = await client.patch(
        f"/api/v1/cards/{card['id']}", json={"version": 1, "title": "Écrasé"}, headers=auth
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "stale_version"
    assert stale.json()["current"]["title"] == "Lexique de poche"

    archived = await client.delete(f"/api/v1/cards/{card['id']}", headers=auth)
    assert archived.status_code == 200 and archived.json()["archived"] is True
    visible = (await client.get(f"/api/v1/boards/{board.slug}")).json()
    assert card["id"] not in [c["id"] for c in visible["columns"][1]["cards"]]
    assert (await client.get(f"/api/v1/cards/{card['id']}")).status_code == 404

    restored = await client.post(f"/api/v1/cards/{card['id']}/restore", headers=auth)
    assert restored.status_code == 200 and restored.json()["archived"] is False


async def test_columns_api(db: Database, client: httpx.AsyncClient) -> None:
    board, _facilitator, auth = await facilitated_board(db)
    ids = []
    for title in ("Un", "Deux", "Trois"):
        response = await client.post(
            f"/api/v1/boards/{board.slug}/columns", json={"title": title}, headers=auth
        )
        assert response.status_code == 201
        ids.append(response.json()["id"])
    assert (
        await client.post(f"/api/v1/columns/{ids[2]}/move", json={"index": 0}, headers=auth)
    ).status_code == 200
    assert (
        await client.patch(f"/api/v1/columns/{ids[1]}", json={"title": "Deux bis"}, headers=auth)
    ).status_code == 200
    assert (await client.delete(f"/api/v1/columns/{ids[0]}", headers=auth)).status_code == 200
    document = (await client.get(f"/api/v1/boards/{board.slug}")).json()
    assert [c["title"] for c in document["columns"]] == ["Trois", "Deux bis"]


async def test_participants_and_visitors_cannot_write(
    db: Database, client: httpx.AsyncClient
) -> None:
    board, facilitator, _auth = await facilitated_board(db)
    column = await make_column(db, board, facilitator)
    participant = await make_member(db, board, Role.participant)
    body = {"column_id": column.id, "title": "Intrus"}
    as_visitor = await client.post(f"/api/v1/boards/{board.slug}/cards", json=body)
    assert as_visitor.status_code == 401
    as_participant = await client.post(
        f"/api/v1/boards/{board.slug}/cards", json=body, headers=await bearer(db, participant)
    )
    assert as_participant.status_code == 403
    assert (
        as_participant.json()["error"]["message"]
        == "Seuls les animateurs du tableau peuvent faire cela."
    )


async def test_members_only_board_hidden_from_outsiders(
    db: Database, client: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, public=False, facilitator=facilitator)
    outsider = await make_user(db)
    assert (await client.get(f"/api/v1/boards/{board.slug}")).status_code == 401
    response = await client.get(f"/api/v1/boards/{board.slug}", headers=await bearer(db, outsider))
    assert response.status_code == 403
    listing = await client.get("/api/v1/boards", headers=await bearer(db, outsider))
    assert board.slug not in [b["slug"] for b in listing.json()["boards"]]
    mine = await client.get("/api/v1/boards", headers=await bearer(db, facilitator))
    assert board.slug in [b["slug"] for b in mine.json()["boards"]]


async def test_admin_creates_board_others_cannot(db: Database, client: httpx.AsyncClient) -> None:
    admin = await make_user(db, admin=True)
    someone = await make_user(db)
    body = {"slug": f"cree-{admin.id}", "title": "Nouveau", "visibility": "public"}
    refused = await client.post("/api/v1/boards", json=body, headers=await bearer(db, someone))
    assert refused.status_code == 403
    created = await client.post("/api/v1/boards", json=body, headers=await bearer(db, admin))
    assert created.status_code == 201 and created.json()["slug"] == body["slug"]
    again = await client.post("/api/v1/boards", json=body, headers=await bearer(db, admin))
    assert again.status_code == 409


async def test_events_after_seq_in_order(db: Database, client: httpx.AsyncClient) -> None:
    board, facilitator, _auth = await facilitated_board(db)
    column = await make_column(db, board, facilitator)
    start = (await client.get(f"/api/v1/boards/{board.slug}")).json()["seq"]
    for n in range(3):
        await make_card(db, board, column, facilitator, title=f"Carte {n}")
    response = await client.get(f"/api/v1/boards/{board.slug}/events", params={"after": start})
    events = response.json()["events"]
    assert [e["seq"] for e in events] == [start + 1, start + 2, start + 3]
    assert [e["data"]["card"]["title"] for e in events] == ["Carte 0", "Carte 1", "Carte 2"]
    assert all(e["type"] == "card.created" for e in events)


async def test_member_events_only_for_facilitators(db: Database, client: httpx.AsyncClient) -> None:
    board, _facilitator, auth = await facilitated_board(db)
    await make_member(db, board, Role.participant)
    public = (await client.get(f"/api/v1/boards/{board.slug}/events?after=0")).json()["events"]
    assert not [e for e in public if e["type"].startswith("member.")]
    private = (await client.get(f"/api/v1/boards/{board.slug}/events?after=0", headers=auth)).json()
    assert [e for e in private["events"] if e["type"] == "member.updated"]


async def test_search_is_accent_and_case_insensitive_and_ranked(
    db: Database, client: httpx.AsyncClient
) -> None:
    board, facilitator, _auth = await facilitated_board(db)
    column = await make_column(db, board, facilitator)
    await make_card(
        db, board, column, facilitator, title="Guide", description="Parle d’écoconception."
    )
    await make_card(db, board, column, facilitator, title="Écoconception des services numériques")
    await make_card(db, board, column, facilitator, title="Sans rapport", kind="video")
    response = await client.get(
        f"/api/v1/boards/{board.slug}/search", params={"q": "ECOCONCEPTION"}
    )
    titles = [c["title"] for c in response.json()["results"]]
    assert titles == ["Écoconception des services numériques", "Guide"]
    by_kind = await client.get(f"/api/v1/boards/{board.slug}/search", params={"kind": "video"})
    assert [c["title"] for c in by_kind.json()["results"]] == ["Sans rapport"]


async def test_openapi_document_lists_the_routes(client: httpx.AsyncClient) -> None:
    document = (await client.get("/api/v1/openapi.json")).json()
    assert document["openapi"].startswith("3.")
    assert "patch" in document["paths"]["/api/v1/cards/{id}"]
    assert "CardIn" in document["components"]["schemas"]


async def test_inserting_again_and_again_at_one_place_renumbers_and_keeps_order(
    db: Database, client: httpx.AsyncClient
) -> None:
    board, facilitator, auth = await facilitated_board(db)
    column = await make_column(db, board, facilitator)
    first = await make_card(db, board, column, facilitator, title="Premier")
    last = await make_card(db, board, column, facilitator, title="Dernier")
    created = []
    for n in range(45):  # more halvings of the gap than a float allows between two neighbours
        response = await client.post(
            f"/api/v1/boards/{board.slug}/cards",
            json={"column_id": column.id, "title": f"N{n}", "index": 1},
            headers=auth,
        )
        created.append(response.json()["id"])
    document = (await client.get(f"/api/v1/boards/{board.slug}")).json()
    order = [card["id"] for card in document["columns"][0]["cards"]]
    assert order == [first.id, *reversed(created), last.id]


async def test_a_move_answers_the_card_as_read_and_refuses_what_it_cannot_do(
    db: Database, client: httpx.AsyncClient
) -> None:
    board, facilitator, auth = await facilitated_board(db)
    left, right, closed = [
        await make_column(db, board, facilitator, title) for title in ("Outils", "Guides", "Fermé")
    ]
    card = await make_card(
        db, board, left, facilitator, title="Lexique", labels=["Débutant", "Atelier"]
    )
    moved = await client.post(
        f"/api/v1/cards/{card.id}/move", json={"column_id": right.id, "index": 9}, headers=auth
    )
    assert moved.status_code == 200
    document = moved.json()
    assert document == (await client.get(f"/api/v1/cards/{card.id}", headers=auth)).json()
    assert document["column_id"] == right.id
    assert [label["name"] for label in document["labels"]] == ["Atelier", "Débutant"]

    elsewhere = await make_board(db, facilitator=facilitator)
    their_column = await make_column(db, elsewhere, facilitator, "Ailleurs")
    their_card = await make_card(db, elsewhere, their_column, facilitator, title="Ailleurs")
    assert (await client.delete(f"/api/v1/columns/{closed.id}", headers=auth)).status_code == 200
    refusals = {
        (card.id, their_column.id): (404, "not_found"),  # a column of another board
        (card.id, 2_000_000_000): (404, "not_found"),
        (2_000_000_000, right.id): (404, "not_found"),
        (card.id, closed.id): (422, "invalid"),
    }
    for (card_id, column_id), (status, code) in refusals.items():
        refused = await client.post(
            f"/api/v1/cards/{card_id}/move", json={"column_id": column_id, "index": 0}, headers=auth
        )
        assert (refused.status_code, refused.json()["error"]["code"]) == (status, code)
    # A card of another board, moved into this board's column (its facilitator is the same).
    crossing = await client.post(
        f"/api/v1/cards/{their_card.id}/move",
        json={"column_id": right.id, "index": 0},
        headers=auth,
    )
    assert crossing.status_code == 404
    assert (await client.delete(f"/api/v1/cards/{card.id}", headers=auth)).status_code == 200
    archived = await client.post(
        f"/api/v1/cards/{card.id}/move", json={"column_id": left.id, "index": 0}, headers=auth
    )
    assert (archived.status_code, archived.json()["error"]["code"]) == (409, "archived")
    listing = (await client.get(f"/api/v1/boards/{board.slug}")).json()
    assert [c["cards"] for c in listing["columns"]] == [[], []]  # the closed column is not listed


async def test_a_refused_move_writes_nothing_and_the_admin_may_move(
    db: Database, client: httpx.AsyncClient
) -> None:
    """A move takes the board's lock and its event's seq with the read of who is asking (on
    PostgreSQL in one statement): only for who may move, so a refusal leaves the board's log as
    it was; the admin, a member of no board, may move as its facilitators do."""
    board, facilitator, _auth = await facilitated_board(db)
    left = await make_column(db, board, facilitator, "Outils")
    right = await make_column(db, board, facilitator, "Guides")
    card = await make_card(db, board, left, facilitator, title="Lexique")

    async def seq() -> int:
        return int((await client.get(f"/api/v1/boards/{board.slug}")).json()["seq"])

    async def moves(headers: dict[str, str], column_id: int) -> list[int]:
        api = await client.post(
            f"/api/v1/cards/{card.id}/move",
            json={"column_id": column_id, "index": 0},
            headers=headers,
        )
        form = await client.post(
            f"/b/{board.slug}/cards/{card.id}/move",
            data={"column_id": str(column_id), "position": "1"},
            headers={**headers, "HX-Request": "true"},
        )
        return [api.status_code, form.status_code]

    participant = await bearer(db, await make_member(db, board, Role.participant))
    reader = await bearer(db, await make_user(db))
    before = await seq()
    assert await moves(participant, right.id) == [403, 403]
    assert await moves(reader, right.id) == [403, 403]
    assert await moves({}, right.id) == [401, 303]  # a visitor's form is sent to sign in
    assert await seq() == before

    admin = await bearer(db, await make_user(db, admin=True))
    assert [status < 300 for status in await moves(admin, right.id)] == [True, True]
    log = (await client.get(f"/api/v1/boards/{board.slug}/events?after={before}")).json()
    assert [(event["seq"], event["type"]) for event in log["events"]] == [
        (before + 1, "card.moved"),
        (before + 2, "card.moved"),
    ]
    document = (await client.get(f"/api/v1/cards/{card.id}", headers=admin)).json()
    assert document["column_id"] == right.id
