"""Attacks on boards, modelled on advisories of Wekan, Kanboard, Planka, Nextcloud Deck,
Focalboard and Vikunja: another board's cards, columns, labels and suggestions, and reading a
members-only board from outside.

Each case names the product and the advisory's short title it is modelled on, and asserts both
the refusal and that nothing changed (tests/security/checks.py). The world:
tests/security/world.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.security.checks import REFUSED, count, snapshot, unchanged
from tests.security.world import World
from toolbox.board.models import BoardColumn, Card, Label, Suggestion
from toolbox.db import Database, ModelBase

# --- cards, columns, labels of another board ----------------------------------------------


@dataclass(frozen=True)
class Reach:
    """A request by this board's facilitator at an object of the other board."""

    model: type[ModelBase]
    target: str  # the `Kit` attribute of the other board's object
    method: str
    path: str  # `{id}` the object; `{slug}` this board (the public one)
    body: dict[str, Any] | None = None
    form: bool = False


# Each id names the advisory the case is modelled on.
REACHES = {
    "kanboard-idor-edit-a-task-of-another-project": Reach(
        Card, "card_id", "PATCH", "/api/v1/cards/{id}", {"version": 1, "title": "pwned"}
    ),
    "wekan-archive-a-card-without-a-board-check": Reach(
        Card, "card_id", "DELETE", "/api/v1/cards/{id}"
    ),
    "kanboard-reopen-a-closed-task-of-another-project": Reach(
        Card, "archived_card_id", "POST", "/api/v1/cards/{id}/restore"
    ),
    "kanboard-idor-on-column-modification": Reach(
        BoardColumn, "column_id", "PATCH", "/api/v1/columns/{id}", {"title": "pwned"}
    ),
    "focalboard-board-operation-with-another-boards-block-id": Reach(
        BoardColumn, "column_id", "POST", "/api/v1/columns/{id}/move", {"index": 0}
    ),
    "vikunja-delete-a-bucket-without-write-access": Reach(
        BoardColumn, "column_id", "DELETE", "/api/v1/columns/{id}"
    ),
    "vikunja-bucket-of-another-project-through-ones-own": Reach(
        BoardColumn, "column_id", "POST", "/b/{slug}/columns/{id}/archive", form=True
    ),
    "deck-delete-a-label-of-another-board": Reach(
        Label, "label_id", "POST", "/b/{slug}/labels/{id}/delete", form=True
    ),
    "deck-label-update-without-a-board-check": Reach(
        Label,
        "label_id",
        "POST",
        "/b/{slug}/labels/{id}/edit",
        {"name": "pwned", "colour": "red"},
        form=True,
    ),
    "planka-act-on-another-boards-object-with-ones-session": Reach(
        Suggestion, "suggestion_id", "POST", "/api/v1/suggestions/{id}/accept", {"column_id": 1}
    ),
}


@pytest.mark.parametrize("reach", REACHES.values(), ids=REACHES.keys())
async def test_another_boards_object_through_its_id(
    reach: Reach, world: World, db: Database, client: httpx.AsyncClient
) -> None:
    """IDOR: the ids of another board's cards, columns, labels and suggestions, through the API
    or through one's own board's forms, as the facilitator of this board."""
    theirs = getattr(world.kits["other"], reach.target)
    path = reach.path.format(id=theirs, slug=world.boards["public"].slug)
    headers = world.headers("facilitator")
    sent: dict[str, Any] = {"data": reach.body} if reach.form else {"json": reach.body}
    await unchanged(
        db, reach.model, theirs, lambda: client.request(reach.method, path, headers=headers, **sent)
    )


async def test_planka_move_a_card_into_another_boards_column(
    world: World, db: Database, client: httpx.AsyncClient
) -> None:
    """Planka: moving a card to a list of a board the user cannot access."""
    ours, theirs = world.kits["public"], world.kits["other"]
    await unchanged(
        db,
        Card,
        ours.card_id,
        lambda: client.post(
            f"/api/v1/cards/{ours.card_id}/move",
            json={"column_id": theirs.column_id, "index": 0},
            headers=world.headers("facilitator"),
        ),
        {403, 404, 422},
    )
    assert (
        await count(db, Card, column_id=theirs.column_id, board_id=world.boards["public"].id) == 0
    )


async def test_planka_move_a_card_through_the_form_into_another_boards_column(
    world: World, db: Database, client: httpx.AsyncClient
) -> None:
    """Planka: the same move through the board's own form (the drag-and-drop endpoint)."""
    ours, theirs = world.kits["public"], world.kits["other"]
    slug = world.boards["public"].slug
    await unchanged(
        db,
        Card,
        ours.card_id,
        lambda: client.post(
            f"/b/{slug}/cards/{ours.card_id}/move",
            data={"column_id": str(theirs.column_id), "position": "1"},
            headers=world.headers("facilitator"),
        ),
        {403, 404, 422},
    )


async def test_deck_create_a_card_in_another_boards_column(
    world: World, db: Database, client: httpx.AsyncClient
) -> None:
    """Nextcloud Deck: creating a card in a stack of a board shared with someone else."""
    theirs = world.kits["other"]
    before = await count(db, Card, column_id=theirs.column_id)
    response = await client.post(
        f"/api/v1/boards/{world.boards['public'].slug}/cards",
        json={"column_id": theirs.column_id, "title": "pwned"},
        headers=world.headers("facilitator"),
    )
    assert response.status_code in {403, 404, 422}
    assert await count(db, Card, column_id=theirs.column_id) == before


async def test_deck_put_another_boards_label_on_a_card(
    world: World, db: Database, client: httpx.AsyncClient
) -> None:
    """Nextcloud Deck: assigning a label of another board to a card. Labels go by name within
    the card's board: the other board's label is neither attached nor changed."""
    async with db.read() as session:
        theirs = await session.get(Label, world.kits["other"].label_id)
        assert theirs is not None
    before = await snapshot(db, Label, theirs.id)
    card = await client.get(
        f"/api/v1/cards/{world.kits['public'].card_id}", headers=world.headers("facilitator")
    )
    response = await client.patch(
        f"/api/v1/cards/{world.kits['public'].card_id}",
        json={"version": card.json()["version"], "labels": [theirs.name]},
        headers=world.headers("facilitator"),
    )
    assert response.status_code in {200, 409, 422}
    assert await snapshot(db, Label, theirs.id) == before
    async with db.read() as session:
        ours = await session.get(Card, world.kits["public"].card_id, populate_existing=True)
        assert ours is not None
        assert all(label.board_id == world.boards["public"].id for label in ours.labels)


async def test_wekan_read_a_members_only_card_as_a_non_member(
    world: World, client: httpx.AsyncClient
) -> None:
    """Wekan: cards of private boards readable by any logged-in user through the API."""
    card_id = world.kits["other"].card_id
    for role in ("visitor", "participant", "facilitator"):
        response = await client.get(f"/api/v1/cards/{card_id}", headers=world.headers(role))
        assert response.status_code in REFUSED, role
        assert "title" not in response.text


async def test_focalboard_read_a_card_through_a_public_boards_address(
    world: World, client: httpx.AsyncClient
) -> None:
    """Focalboard: blocks of a private board fetched through a shared (public) board's URL."""
    card_id = world.kits["other"].card_id
    response = await client.get(f"/b/{world.boards['public'].slug}/cards/{card_id}")
    assert response.status_code == 404


async def test_planka_accept_a_suggestion_into_another_boards_column(
    world: World, db: Database, client: httpx.AsyncClient
) -> None:
    """Planka: an id of another board smuggled in the body of an allowed request."""
    ours, theirs = world.kits["public"], world.kits["other"]
    before = await count(db, Card, column_id=theirs.column_id)
    await unchanged(
        db,
        Suggestion,
        ours.suggestion_id,
        lambda: client.post(
            f"/api/v1/suggestions/{ours.suggestion_id}/accept",
            json={"column_id": theirs.column_id},
            headers=world.headers("facilitator"),
        ),
        {403, 404, 422},
    )
    assert await count(db, Card, column_id=theirs.column_id) == before


# --- reading what one may not ----------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "export.csv",
        "pocket.epub",
        "print",
        "feed.atom",
        "room",
        "brigade",
        "export.json",
    ],
)
async def test_kanboard_export_of_a_private_project_by_a_visitor(
    path: str, world: World, db: Database, client: httpx.AsyncClient
) -> None:
    """Kanboard: export of a private project's tasks without being a member."""
    slug = world.boards["members"].slug
    title = (await snapshot(db, Card, world.kits["members"].card_id))["title"]
    for role in ("visitor", "other_facilitator"):
        response = await client.get(f"/b/{slug}/{path}", headers=world.headers(role))
        assert response.status_code in REFUSED | {303}, role
        assert title not in response.text, (role, path)
    # A member gets it, so the refusals above are about who asks.
    member = await client.get(f"/b/{slug}/{path}", headers=world.headers("facilitator"))
    assert member.status_code == 200


async def test_vikunja_search_a_private_project(world: World, client: httpx.AsyncClient) -> None:
    """Vikunja: task search returning tasks of projects the user cannot see."""
    slug = world.boards["members"].slug
    for role in ("visitor", "other_facilitator"):
        response = await client.get(
            f"/api/v1/boards/{slug}/search", params={"q": "a"}, headers=world.headers(role)
        )
        assert response.status_code in {401, 403}, role
        assert "results" not in response.text


async def test_focalboard_event_log_of_a_private_board(
    world: World, client: httpx.AsyncClient
) -> None:
    """Focalboard: the websocket/update stream of a private board readable by non-members."""
    slug = world.boards["members"].slug
    for role in ("visitor", "other_facilitator"):
        response = await client.get(
            f"/api/v1/boards/{slug}/events", params={"after": 0}, headers=world.headers(role)
        )
        assert response.status_code in {401, 403}, role
        assert "events" not in response.text


@pytest.mark.parametrize("index", [-1, -(2**31), 2**63, 2**64, "1e309", None, "0"])
async def test_kanboard_negative_or_huge_positions(
    index: Any, world: World, db: Database, client: httpx.AsyncClient
) -> None:
    """Kanboard: task position parameter not validated (negative and overflowing integers)."""
    kit = world.kits["public"]
    await unchanged(
        db,
        Card,
        kit.card_id,
        lambda: client.post(
            f"/api/v1/cards/{kit.card_id}/move",
            json={"column_id": kit.column_id, "index": index},
            headers=world.headers("facilitator"),
        ),
        {422},
    )
