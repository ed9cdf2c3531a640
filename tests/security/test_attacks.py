"""Attacks modelled on published advisories of boards and booking tools, tried on a real server.

Each case names the product and the advisory's short title it is modelled on (the products:
Wekan, Kanboard, Planka, Nextcloud Deck, Focalboard, Vikunja, Cal.com, Easy!Appointments), and
asserts both the refusal and that nothing changed: the object is read again from the database.
The world (tests/security/world.py): `public` and `members` boards with the same staff, and an
`other` members-only board whose facilitator is `other_facilitator`.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import func, select
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from tests.accounts.builders import PASSWORD
from tests.factories import origin, signed_in
from tests.security.world import World, scratch_invitation
from tests.servers import LiveServer
from toolbox.accounts.private_links import private_token
from toolbox.board.models import Board, BoardColumn, Card, Label, Membership, Suggestion
from toolbox.brigade.models import Booking, Slot
from toolbox.db import Database, ModelBase

REFUSED = {401, 403, 404}


async def snapshot(db: Database, model: type[ModelBase], id: int) -> dict[str, Any]:
    """Every column of one row, as the database has it now."""
    async with db.read() as session:
        row = await session.get(model, id, populate_existing=True)
        assert row is not None
        return {c.key: getattr(row, c.key) for c in model.__table__.columns}  # type: ignore[attr-defined]


async def count(db: Database, model: type[ModelBase], **where: Any) -> int:
    async with db.read() as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return int(await session.scalar(query) or 0)


async def role_of(db: Database, board: Board, user_id: int) -> str | None:
    async with db.read() as session:
        role = await session.scalar(
            select(Membership.role).where(
                Membership.board_id == board.id, Membership.user_id == user_id
            )
        )
        return role.value if role else None


async def unchanged(
    db: Database,
    model: type[ModelBase],
    id: int,
    attack: Callable[[], Awaitable[httpx.Response]],
    refused: set[int] = REFUSED,
) -> httpx.Response:
    """Run `attack`; it must be refused and leave the row as it was."""
    before = await snapshot(db, model, id)
    response = await attack()
    assert response.status_code in refused, (response.status_code, response.text[:300])
    assert await snapshot(db, model, id) == before
    return response


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


# --- bookings ------------------------------------------------------------------------------


async def test_calcom_book_on_behalf_of_another_user(
    world: World, db: Database, client: httpx.AsyncClient
) -> None:
    """Cal.com: booking created for another user by passing their id in the body."""
    kit = world.kits["public"]
    victim = world.staff["public"].other_participant
    before = await count(db, Booking, slot_id=kit.free_slot_id)
    for extra in ({"participant_id": victim.id}, {"user_id": victim.id}, {"email": victim.email}):
        response = await client.post(
            f"/api/v1/slots/{kit.free_slot_id}/bookings",
            json={"need": "x", "organisation": "y", **extra},
            headers=world.headers("participant"),
        )
        assert response.status_code == 422, extra
    assert await count(db, Booking, slot_id=kit.free_slot_id) == before


async def test_calcom_cancel_another_users_booking(
    world: World, db: Database, client: httpx.AsyncClient
) -> None:
    """Cal.com: any authenticated user could cancel any booking by its id."""
    booking_id = world.kits["public"].other_booking_id
    await unchanged(
        db,
        Booking,
        booking_id,
        lambda: client.delete(
            f"/api/v1/bookings/{booking_id}", headers=world.headers("participant")
        ),
    )


async def test_easyappointments_cancel_another_customers_appointment(
    world: World, db: Database, client: httpx.AsyncClient
) -> None:
    """Easy!Appointments: appointment cancellation by id without an ownership check."""
    booking_id = world.kits["public"].other_booking_id
    slug = world.boards["public"].slug
    for role in ("participant", "other_facilitator", "visitor"):
        await unchanged(
            db,
            Booking,
            booking_id,
            lambda role=role: client.post(  # type: ignore[misc]
                f"/b/{slug}/brigade/bookings/{booking_id}/cancel",
                headers={**world.headers(role), "Origin": str(client.base_url)},
            ),
            REFUSED | {303},
        )


async def test_calcom_cancel_a_booking_of_another_board(
    world: World, db: Database, client: httpx.AsyncClient
) -> None:
    """Cal.com: organisation admins acting on bookings of other organisations."""
    booking_id = world.kits["other"].booking_id
    await unchanged(
        db,
        Booking,
        booking_id,
        lambda: client.delete(
            f"/api/v1/bookings/{booking_id}", headers=world.headers("facilitator")
        ),
    )


async def test_calcom_read_another_users_booking(world: World, client: httpx.AsyncClient) -> None:
    """Cal.com: booking details (attendee answers) exposed by id to other users."""
    booking_id = world.kits["public"].other_booking_id
    for role in ("participant", "other_facilitator", "visitor"):
        response = await client.get(f"/api/v1/bookings/{booking_id}", headers=world.headers(role))
        assert response.status_code in REFUSED, role
        assert "need" not in response.text


async def test_easyappointments_another_customers_calendar_file(
    world: World, client: httpx.AsyncClient
) -> None:
    """Easy!Appointments: appointment ICS reachable by id without authorization."""
    booking_id = world.kits["public"].other_booking_id
    for role in ("participant", "other_facilitator", "visitor"):
        response = await client.get(f"/bookings/{booking_id}.ics", headers=world.headers(role))
        assert response.status_code in REFUSED | {303}, role
        assert "BEGIN:VEVENT" not in response.text


async def test_calcom_guessed_calendar_feed_token(world: World, client: httpx.AsyncClient) -> None:
    """Cal.com: predictable private calendar feed URLs. Another person's id with a made-up
    signature, and someone's feed link used as their calendar link, open nothing."""
    victim = world.people["participant"]
    for token in (
        f"{victim.id}-{'0' * 64}",
        f"{victim.id}",
        private_token("test-secret-key", victim, "feed"),
        "../../etc/passwd",
    ):
        response = await client.get(f"/calendar/{token}.ics")
        assert response.status_code == 404, token
        assert "BEGIN:VCALENDAR" not in response.text


async def test_focalboard_members_only_feed_with_a_forged_token(
    world: World, client: httpx.AsyncClient
) -> None:
    """Focalboard: private board content through a guessable sharing token."""
    victim = world.people["participant"]
    slug = world.boards["members"].slug
    for token in (f"{victim.id}-{'a' * 64}", "", "0-0"):
        response = await client.get(f"/b/{slug}/feed.atom", params={"token": token})
        assert response.status_code in REFUSED | {303}, token
        assert "<entry" not in response.text


async def test_easyappointments_bookings_export_by_a_non_facilitator(
    world: World, client: httpx.AsyncClient
) -> None:
    """Easy!Appointments: appointment export open to non-admin users."""
    slug = world.boards["public"].slug
    for role in ("participant", "expert", "other_facilitator", "visitor"):
        response = await client.get(f"/b/{slug}/brigade/report.csv", headers=world.headers(role))
        assert response.status_code in REFUSED | {303}, role
        assert "Un plan" not in response.text and "need" not in response.text.lower()


async def test_calcom_book_a_members_only_session_as_an_outsider(
    world: World, db: Database, client: httpx.AsyncClient
) -> None:
    """Cal.com: booking a private event type through its id."""
    slot_id = world.kits["members"].free_slot_id
    await unchanged(
        db,
        Slot,
        slot_id,
        lambda: client.post(
            f"/api/v1/slots/{slot_id}/bookings",
            json={"need": "x", "organisation": "y"},
            headers=world.headers("other_facilitator"),
        ),
    )


async def test_calcom_an_expert_assigns_another_expert(
    world: World, db: Database, client: httpx.AsyncClient
) -> None:
    """Cal.com: a team member reassigning a booking to another host without the right."""
    slot_id = world.kits["other"].open_slot_id
    other_expert = world.staff["other"].expert
    slug = world.boards["public"].slug
    await unchanged(
        db,
        Slot,
        slot_id,
        lambda: client.post(
            f"/api/v1/slots/{slot_id}/claim",
            json={"expert_id": other_expert.id},
            headers=world.headers("expert"),
        ),
    )
    await unchanged(
        db,
        Slot,
        world.kits["public"].open_slot_id,
        lambda: client.post(
            f"/b/{slug}/brigade/slots/{world.kits['public'].open_slot_id}/assign",
            data={"expert_id": str(world.people["participant"].id)},
            headers=world.headers("expert"),
        ),
        REFUSED | {409, 422},
    )


async def test_easyappointments_release_another_providers_slot(
    world: World, db: Database, client: httpx.AsyncClient
) -> None:
    """Easy!Appointments: a provider editing another provider's working plan."""
    slot_id = world.kits["other"].slot_id
    await unchanged(
        db,
        Slot,
        slot_id,
        lambda: client.delete(f"/api/v1/slots/{slot_id}/claim", headers=world.headers("expert")),
    )


async def test_easyappointments_mark_another_providers_session(
    world: World, db: Database, client: httpx.AsyncClient
) -> None:
    """Easy!Appointments: appointment status changed by a user who does not own it."""
    slot_id = world.kits["public"].slot_id
    for role in ("participant", "other_facilitator"):
        await unchanged(
            db,
            Slot,
            slot_id,
            lambda role=role: client.post(  # type: ignore[misc]
                f"/api/v1/slots/{slot_id}/outcome",
                json={"outcome": "missed"},
                headers=world.headers(role),
            ),
        )


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


# --- cross-site requests and redirects --------------------------------------------------------


async def test_wekan_csrf_cross_origin_post_with_the_session_cookie(
    world: World, db: Database, server: LiveServer
) -> None:
    """Wekan / Kanboard: CSRF on board actions (a form on another site posts with the cookie)."""
    kit = world.kits["public"]
    slug = world.boards["public"].slug
    async with httpx.AsyncClient(base_url=server.url) as browser:
        await signed_in(browser, world.people["facilitator"])
        for headers in (
            {"Origin": "https://evil.example"},
            {"Origin": "null"},
            {"Sec-Fetch-Site": "cross-site"},  # no Origin, but the browser says where it came from
        ):
            await unchanged(
                db,
                Card,
                kit.card_id,
                lambda headers=headers: browser.post(  # type: ignore[misc]
                    f"/b/{slug}/cards/{kit.card_id}/archive", headers=headers
                ),
                {403},
            )


async def test_kanboard_csrf_with_a_text_plain_form(
    world: World, db: Database, server: LiveServer
) -> None:
    """Kanboard: CSRF through a `text/plain` form posting JSON-looking data to the API."""
    kit = world.kits["public"]
    async with httpx.AsyncClient(base_url=server.url) as browser:
        await signed_in(browser, world.people["facilitator"])
        await unchanged(
            db,
            Card,
            kit.card_id,
            lambda: browser.post(
                f"/api/v1/cards/{kit.card_id}/move",
                content=json.dumps({"column_id": kit.column_id, "index": 5}),
                headers={"Content-Type": "text/plain", "Origin": "https://evil.example"},
            ),
            {403},
        )


async def test_planka_cross_site_websocket_hijacking(world: World, server: LiveServer) -> None:
    """Planka / Focalboard: cross-site websocket hijacking (the handshake carries the cookie)."""
    async with httpx.AsyncClient(base_url=server.url) as browser:
        await signed_in(browser, world.people["facilitator"])
        cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
    url = f"ws://127.0.0.1:{server.port}/b/{world.boards['members'].slug}/ws?format=json"
    for bad in ("https://evil.example", "null", f"http://127.0.0.1:{server.port}.evil.example"):
        with pytest.raises(InvalidStatus) as refused:
            async with connect(url, additional_headers={"Cookie": cookie, "Origin": bad}):
                pass
        assert refused.value.response.status_code == 403, bad
    # The app's own origin is let in, so the refusals above are the Origin's doing.
    async with connect(url, additional_headers={"Cookie": cookie, "Origin": server.url}) as ws:
        await ws.send(json.dumps({"resume": 0}))


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "/\t/evil.example",
        "///evil.example",
        "http:evil.example",
        "\\\\evil.example",
    ],
)
async def test_wekan_open_redirect_after_sign_in(
    target: str, world: World, server: LiveServer
) -> None:
    """Wekan / Vikunja: open redirect through the `next`/`redirect` parameter of the login."""
    async with httpx.AsyncClient(base_url=server.url) as browser:
        response = await browser.post(
            "/login",
            data={"email": world.people["participant"].email, "password": PASSWORD, "next": target},
            headers=origin(browser),
        )
        assert response.status_code == 303
        location = response.headers["location"]
        # Resolved as a browser resolves it (backslashes and tabs included), it stays here.
        resolved = urlsplit(httpx.URL(server.url).join(location.replace("\\", "/")).__str__())
        assert resolved.netloc == f"127.0.0.1:{server.port}", location
        choose = await browser.post(
            "/language", data={"locale": "fr_CA", "next": target}, headers=origin(browser)
        )
        assert urlsplit(str(httpx.URL(server.url).join(choose.headers["location"]))).netloc == (
            f"127.0.0.1:{server.port}"
        )


@pytest.mark.parametrize(
    "path",
    [
        "/static/../pyproject.toml",
        "/static/%2e%2e/pyproject.toml",
        "/static/..%2fpyproject.toml",
        "/static/%2e%2e%2f%2e%2e%2fetc/passwd",
        "/static/....//pyproject.toml",
        "/static/vendor/../../toolbox/settings.py",
        "/static/%252e%252e/pyproject.toml",
    ],
)
async def test_nextcloud_path_traversal_in_static_files(path: str, server: LiveServer) -> None:
    """Nextcloud: path traversal in a file-serving endpoint."""
    async with httpx.AsyncClient(base_url=server.url) as raw:
        request = raw.build_request("GET", path)
        request.url = request.url.copy_with(raw_path=path.encode())
        response = await raw.send(request)
    assert response.status_code in {400, 404}
    assert "[project]" not in response.text and "root:" not in response.text
    assert "TOOLBOX_" not in response.text


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
