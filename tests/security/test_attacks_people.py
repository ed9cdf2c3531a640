"""Attacks on roles, modelled on advisories of Wekan, Nextcloud Deck, Kanboard, Planka,
Focalboard, Vikunja and Cal.com: escalation through the member endpoint and invitations, mass
assignment of fields a body must not set.

Each case names the product and the advisory's short title it is modelled on, and asserts both
the refusal and that nothing changed (tests/security/checks.py). The world:
tests/security/world.py."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.security.checks import count, role_of, unchanged
from tests.security.world import World, scratch_invitation
from toolbox.board.models import Board, Card, Suggestion
from toolbox.db import Database

# --- roles, invitations, mass assignment -----------------------------------------------------


async def test_wekan_role_escalation_through_the_member_endpoint(
    world: World, db: Database, client: httpx.AsyncClient
) -> None:
    """Wekan: a normal board member makes themself board admin."""
    board = world.boards["public"]
    for role in ("participant", "expert"):
        me = world.people[role]
        response = await client.post(
            f"/b/{board.slug}/members/{me.id}/role",
            data={"role": "facilitator"},
            headers=world.headers(role),
        )
        assert response.status_code == 403, role
        assert await role_of(db, board, me.id) == role


async def test_deck_another_boards_owner_changes_roles_here(
    world: World, db: Database, client: httpx.AsyncClient
) -> None:
    """Nextcloud Deck: the owner of one board manages the ACL of another."""
    board = world.boards["public"]
    member = world.kits["public"].member_id
    response = await client.post(
        f"/b/{board.slug}/members/{member}/role",
        data={"role": "facilitator"},
        headers=world.headers("other_facilitator"),
    )
    assert response.status_code == 403
    assert await role_of(db, board, member) == "participant"


async def test_kanboard_change_a_role_on_another_board_through_ones_own(
    world: World, db: Database, client: httpx.AsyncClient
) -> None:
    """Kanboard: project member role changed with a user id of another project."""
    other = world.boards["other"]
    member = world.kits["other"].member_id
    response = await client.post(
        f"/b/{world.boards['public'].slug}/members/{member}/role",
        data={"role": "facilitator"},
        headers=world.headers("facilitator"),
    )
    assert response.status_code == 404
    assert await role_of(db, other, member) == "participant"
    assert await role_of(db, world.boards["public"], member) is None


async def test_planka_invitation_token_reuse(
    world: World, db: Database, client: httpx.AsyncClient
) -> None:
    """Planka / Focalboard: a shared invitation link usable again after it was used."""
    token = await scratch_invitation(db, world)
    first = await client.post(f"/invite/{token}", headers=world.headers("participant"))
    assert first.status_code == 303
    assert world.scratch is not None
    before = await role_of(db, world.scratch, world.people["other_facilitator"].id)
    again = await client.post(f"/invite/{token}", headers=world.headers("other_facilitator"))
    assert again.status_code == 404
    assert await role_of(db, world.scratch, world.people["other_facilitator"].id) == before


async def test_focalboard_invitation_link_lowers_a_facilitator(
    world: World, db: Database, client: httpx.AsyncClient
) -> None:
    """Focalboard: joining through a team link resets the role of an existing member. Here:
    the facilitator who accepts a participant's invitation stays facilitator (fixed)."""
    assert world.scratch is not None
    token = await scratch_invitation(db, world)
    response = await client.post(f"/invite/{token}", headers=world.headers("facilitator"))
    assert response.status_code == 303
    assert await role_of(db, world.scratch, world.people["facilitator"].id) == "facilitator"


@pytest.mark.parametrize(
    "extra", [{"board_id": 0}, {"id": 1}, {"version": 99}, {"archived_at": "2020-01-01"}]
)
async def test_vikunja_mass_assignment_on_card_creation(
    extra: dict[str, Any], world: World, db: Database, client: httpx.AsyncClient
) -> None:
    """Vikunja: fields such as the project id taken from the JSON body (mass assignment)."""
    if "board_id" in extra:
        extra = {"board_id": world.boards["other"].id}
    before = await count(db, Card, board_id=world.boards["other"].id)
    response = await client.post(
        f"/api/v1/boards/{world.boards['public'].slug}/cards",
        json={"column_id": world.kits["public"].column_id, "title": "x", **extra},
        headers=world.headers("facilitator"),
    )
    assert response.status_code == 422
    assert json.loads(response.text)["error"]["code"] == "invalid"
    assert await count(db, Card, board_id=world.boards["other"].id) == before


async def test_vikunja_mass_assignment_moves_a_card_to_another_board(
    world: World, db: Database, client: httpx.AsyncClient
) -> None:
    """Vikunja: a task moved to another project by setting `project_id` in an update."""
    kit = world.kits["public"]
    await unchanged(
        db,
        Card,
        kit.card_id,
        lambda: client.patch(
            f"/api/v1/cards/{kit.card_id}",
            json={
                "version": kit.card_version,
                "board_id": world.boards["other"].id,
                "column_id": world.kits["other"].column_id,
            },
            headers=world.headers("facilitator"),
        ),
        {422},
    )


async def test_wekan_mass_assignment_of_a_role_in_a_profile(
    world: World, db: Database, client: httpx.AsyncClient
) -> None:
    """Wekan: `isAdmin` accepted in a profile update."""
    board = world.boards["public"]
    for extra in ({"role": "facilitator"}, {"is_admin": True}, {"user_id": 1}):
        response = await client.put(
            f"/api/v1/boards/{board.slug}/experts/me",
            json={"bio": "x", **extra},
            headers=world.headers("expert"),
        )
        assert response.status_code == 422, extra
    assert await role_of(db, board, world.people["expert"].id) == "expert"


async def test_calcom_mass_assignment_of_a_suggestions_status(
    world: World, db: Database, client: httpx.AsyncClient
) -> None:
    """Cal.com: booking status and owner fields writable through the create endpoint."""
    board = world.boards["public"]
    before = await count(db, Suggestion, board_id=board.id)
    for extra in ({"status": "accepted"}, {"card_id": 1}, {"proposer_id": 1}):
        response = await client.post(
            f"/api/v1/boards/{board.slug}/suggestions",
            json={"title": "x", **extra},
            headers=world.headers("participant"),
        )
        assert response.status_code == 422, extra
    assert await count(db, Suggestion, board_id=board.id) == before


async def test_kanboard_non_admin_creates_a_board(
    world: World, db: Database, client: httpx.AsyncClient
) -> None:
    """Kanboard: project creation by users without the right, with `is_admin` in the body."""
    before = await count(db, Board)
    response = await client.post(
        "/api/v1/boards",
        json={"slug": "pwned-board", "title": "x", "is_admin": True},
        headers=world.headers("facilitator"),
    )
    assert response.status_code in {403, 422}
    assert await count(db, Board) == before
