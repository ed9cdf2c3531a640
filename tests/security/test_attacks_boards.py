"""Attacks on boards, modelled on advisories of Wekan, Kanboard, Planka, Nextcloud Deck,
Focalboard and Vikunja: another board's cards, columns, labels and suggestions, and reading a
members-only board from outside.

Each case names the product and the advisory's short title it is modelled on, and asserts both
the refusal and that nothing changed (tests/security/checks.py). The world:
tests/security/world.py."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.security.checks import REFUSED, count, snapshot, unchanged
from tests.security.world import World
from toolbox.board.models import BoardColumn, Card, Label, Suggestion
from toolbox.db import Database

# --- cards, columns, labels of another board ----------------------------------------------


async def test_kanboard_idor_edit_a_card_of_another_board(
    world: World, db: Database, client: httpx.AsyncClient
) -> None:
    """Kanboard: IDOR, a project manager of one project edits a task of another (API)."""
    card = world.kits["other"]
    await unchanged(
        db,
        Card,
        card.card_id,
        lambda: client.patch(
            f"/api/v1/cards/{card.card_id}",
            json={"version": card.card_version, "title": "pwned"},
            headers=world.headers("facilitator"),
        ),
    )


async def test_wekan_archive_a_card_of_another_board(
    world: World, db: Database, client: httpx.AsyncClient
) -> None:
    """Wekan: missing board check on card archive (IDOR through the REST API)."""
    card_id = world.kits["other"].card_id
    await unchanged(
        db,
        Card,
        card_id,
        lambda: client.delete(f"/api/v1/cards/{card_id}", headers=world.headers("facilitator")),
    )


async def test_kanboard_restore_a_card_of_another_board(
    world: World, db: Database, client: httpx.AsyncClient
) -> None:
    """Kanboard: IDOR, reopening a closed task of another project."""
    card_id = world.kits["other"].archived_card_id
    await unchanged(
        db,
        Card,
        card_id,
        lambda: client.post(
            f"/api/v1/cards/{card_id}/restore", headers=world.headers("facilitator")
        ),
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


async def test_kanboard_rename_a_column_of_another_board(
    world: World, db: Database, client: httpx.AsyncClient
) -> None:
    """Kanboard: IDOR on column modification."""
    column_id = world.kits["other"].column_id
    await unchanged(
        db,
        BoardColumn,
        column_id,
        lambda: client.patch(
            f"/api/v1/columns/{column_id}",
            json={"title": "pwned"},
            headers=world.headers("facilitator"),
        ),
    )


async def test_focalboard_move_a_column_of_another_board(
    world: World, db: Database, client: httpx.AsyncClient
) -> None:
    """Focalboard: board-scoped operations reachable with another board's block id."""
    column_id = world.kits["other"].column_id
    await unchanged(
        db,
        BoardColumn,
        column_id,
        lambda: client.post(
            f"/api/v1/columns/{column_id}/move",
            json={"index": 0},
            headers=world.headers("facilitator"),
        ),
    )


async def test_vikunja_delete_a_bucket_of_another_project(
    world: World, db: Database, client: httpx.AsyncClient
) -> None:
    """Vikunja: deleting a bucket of a project the user has no write access to."""
    column_id = world.kits["other"].column_id
    await unchanged(
        db,
        BoardColumn,
        column_id,
        lambda: client.delete(f"/api/v1/columns/{column_id}", headers=world.headers("facilitator")),
    )


async def test_vikunja_archive_a_column_through_ones_own_board(
    world: World, db: Database, client: httpx.AsyncClient
) -> None:
    """Vikunja: a bucket id of another project through one's own project's URL."""
    column_id = world.kits["other"].column_id
    slug = world.boards["public"].slug
    await unchanged(
        db,
        BoardColumn,
        column_id,
        lambda: client.post(
            f"/b/{slug}/columns/{column_id}/archive", headers=world.headers("facilitator")
        ),
    )


async def test_deck_delete_a_label_of_another_board(
    world: World, db: Database, client: httpx.AsyncClient
) -> None:
    """Nextcloud Deck: labels of another board editable through one's own board's id."""
    label_id = world.kits["other"].label_id
    slug = world.boards["public"].slug
    await unchanged(
        db,
        Label,
        label_id,
        lambda: client.post(
            f"/b/{slug}/labels/{label_id}/delete", headers=world.headers("facilitator")
        ),
    )


async def test_deck_rename_a_label_of_another_board(
    world: World, db: Database, client: httpx.AsyncClient
) -> None:
    """Nextcloud Deck: label update without a check that the label is on the board."""
    label_id = world.kits["other"].label_id
    slug = world.boards["public"].slug
    await unchanged(
        db,
        Label,
        label_id,
        lambda: client.post(
            f"/b/{slug}/labels/{label_id}/edit",
            data={"name": "pwned", "colour": "red"},
            headers=world.headers("facilitator"),
        ),
    )


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


async def test_planka_accept_a_suggestion_of_another_board(
    world: World, db: Database, client: httpx.AsyncClient
) -> None:
    """Planka: acting on another board's objects with a valid session of one's own board."""
    theirs = world.kits["other"]
    await unchanged(
        db,
        Suggestion,
        theirs.suggestion_id,
        lambda: client.post(
            f"/api/v1/suggestions/{theirs.suggestion_id}/accept",
            json={"column_id": world.kits["public"].column_id},
            headers=world.headers("facilitator"),
        ),
    )


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
