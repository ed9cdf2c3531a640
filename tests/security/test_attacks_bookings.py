"""Attacks on the brigade's bookings, modelled on advisories of Cal.com and Easy!Appointments:
booking for another, cancelling or reading another's booking, guessed private links.

Each case names the product and the advisory's short title it is modelled on, and asserts both
the refusal and that nothing changed (tests/security/checks.py). The world:
tests/security/world.py."""

from __future__ import annotations

import httpx

from tests.security.checks import REFUSED, count, unchanged
from tests.security.world import World
from toolbox.accounts.private_links import private_token
from toolbox.brigade.models import Booking, Slot
from toolbox.db import Database

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
