"""Booking seats: the race for the last seat, the waitlist, cancelling, and every refusal."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import timedelta

import httpx
from sqlalchemy import func, select

from tests.factories import bearer, make_board, make_member, make_slot, make_user
from toolbox.board.models import Role
from toolbox.brigade.models import Booking, BookingStatus, Slot
from toolbox.db import Database


async def brigade(db: Database, **slot_options):  # type: ignore[no-untyped-def]
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    expert = await make_member(db, board, Role.expert)
    slot = await make_slot(db, board, facilitator, expert=expert, **slot_options)
    return board, facilitator, expert, slot


async def live_bookings(db: Database, slot_id: int) -> int:
    async with db.read() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(Booking)
            .where(Booking.slot_id == slot_id, Booking.status == BookingStatus.active)
        )
        seats = await session.scalar(select(Slot.seats_taken).where(Slot.id == slot_id))
    assert count == seats
    return int(count or 0)


def body(n: int | str = 0, **extra: object) -> dict[str, object]:
    return {"need": f"Nous voulons un plan numérique ({n}).", "organisation": f"Musée {n}", **extra}


async def test_fifty_at_once_for_two_seats(db: Database, client: httpx.AsyncClient) -> None:
    board, _facilitator, _expert, slot = await brigade(db, capacity=2)
    people = [await make_member(db, board, Role.participant) for _ in range(50)]
    tokens = [await bearer(db, person) for person in people]

    async def book(n: int) -> httpx.Response:
        return await client.post(
            f"/api/v1/slots/{slot.id}/bookings", json=body(n), headers=tokens[n]
        )

    responses = await asyncio.gather(*(book(n) for n in range(50)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) == 2
    assert statuses.count(409) == 48
    assert {r.json()["error"]["code"] for r in responses if r.status_code == 409} == {"slot_full"}
    assert await live_bookings(db, slot.id) == 2


async def test_a_double_click_makes_one_booking(db: Database, client: httpx.AsyncClient) -> None:
    board, _facilitator, _expert, slot = await brigade(db, capacity=3)
    participant = await make_member(db, board, Role.participant)
    auth = await bearer(db, participant)
    first, second = await asyncio.gather(
        *(
            client.post(f"/api/v1/slots/{slot.id}/bookings", json=body(1), headers=auth)
            for _ in range(2)
        )
    )
    assert sorted([first.status_code, second.status_code]) == [201, 409]
    refused = first if first.status_code == 409 else second
    assert refused.json()["error"]["code"] == "already_booked"
    assert await live_bookings(db, slot.id) == 1


async def test_refusals_say_why_in_french_and_write_nothing(
    db: Database, client: httpx.AsyncClient
) -> None:
    board, facilitator, expert, slot = await brigade(db, capacity=1)
    unclaimed = await make_slot(db, board, facilitator)
    past = await make_slot(db, board, facilitator, starts_in=timedelta(minutes=-10), expert=None)
    participant = await make_member(db, board, Role.participant)
    other = await make_member(db, board, Role.participant)
    auth, other_auth = await bearer(db, participant), await bearer(db, other)

    async def attempt(
        slot_id: int, payload: dict[str, object], headers: dict[str, str]
    ) -> httpx.Response:
        return await client.post(f"/api/v1/slots/{slot_id}/bookings", json=payload, headers=headers)

    response = await attempt(unclaimed.id, body(1), auth)
    assert response.status_code == 409 and response.json()["error"]["code"] == "slot_unclaimed"
    assert "expert" in response.json()["error"]["message"]
    response = await attempt(past.id, body(1), auth)
    assert response.status_code == 409 and response.json()["error"]["code"] in {
        "slot_past",
        "slot_unclaimed",
    }
    for payload, field in (
        (body(1, need="   "), "need"),
        (body(1, need="x" * 2001), "need"),
        ({"need": "Un besoin"}, "organisation"),
    ):
        response = await attempt(slot.id, payload, auth)
        assert response.status_code == 422 and response.json()["error"]["field"] == field
        assert response.json()["error"]["message"].endswith(".")
    assert (await attempt(slot.id, body("Centre A"), auth)).status_code == 201
    full = await attempt(slot.id, body("Centre B"), other_auth)
    assert full.status_code == 409 and full.json()["error"]["code"] == "slot_full"
    assert (
        full.json()["error"]["message"]
        == "Cette séance est complète. Vous pouvez vous inscrire sur sa liste d’attente."
    )
    # The same organisation, another table at the same time: refused.
    parallel = await make_slot(
        db, board, facilitator, place="Table 2", expert=await make_member(db, board, Role.expert)
    )
    same_org = await attempt(parallel.id, body("centre a"), other_auth)
    assert same_org.status_code == 409 and same_org.json()["error"]["code"] == "already_booked"
    assert await live_bookings(db, parallel.id) == 0
    visitor = await client.post(f"/api/v1/slots/{slot.id}/bookings", json=body(9))
    assert visitor.status_code in {401, 403}
    as_expert = await attempt(slot.id, body(9), await bearer(db, expert))
    assert as_expert.status_code == 403


async def test_waitlist_gets_the_freed_seat(db: Database, client: httpx.AsyncClient) -> None:
    board, _facilitator, _expert, slot = await brigade(db, capacity=1)
    first, second = [await make_member(db, board, Role.participant) for _ in range(2)]
    first_auth, second_auth = await bearer(db, first), await bearer(db, second)
    booked = await client.post(
        f"/api/v1/slots/{slot.id}/bookings", json=body("A"), headers=first_auth
    )
    waiting = await client.post(
        f"/api/v1/slots/{slot.id}/bookings", json=body("B", waitlist=True), headers=second_auth
    )
    assert waiting.status_code == 201 and waiting.json()["status"] == "waiting"
    cancelled = await client.delete(f"/api/v1/bookings/{booked.json()['id']}", headers=first_auth)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    promoted = await client.get(f"/api/v1/bookings/{waiting.json()['id']}", headers=second_auth)
    assert promoted.json()["status"] == "active"
    slots = (await client.get(f"/api/v1/boards/{board.slug}/slots")).json()["slots"]
    assert [s["seats_taken"] for s in slots if s["id"] == slot.id] == [1]


async def test_participants_cancel_until_the_deadline_then_only_staff(
    db: Database, client: httpx.AsyncClient
) -> None:
    board, _facilitator, expert, slot = await brigade(db, starts_in=timedelta(hours=3), capacity=2)
    participant = await make_member(db, board, Role.participant)
    auth = await bearer(db, participant)
    booking = (
        await client.post(f"/api/v1/slots/{slot.id}/bookings", json=body(1), headers=auth)
    ).json()
    late = await client.delete(f"/api/v1/bookings/{booking['id']}", headers=auth)
    assert late.status_code == 409 and late.json()["error"]["code"] == "too_late"
    by_expert = await client.delete(
        f"/api/v1/bookings/{booking['id']}", headers=await bearer(db, expert)
    )
    assert by_expert.status_code == 200 and by_expert.json()["status"] == "cancelled"
    assert await live_bookings(db, slot.id) == 0


async def test_claims_release_and_assignment(db: Database, client: httpx.AsyncClient) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    first, second = [await make_member(db, board, Role.expert) for _ in range(2)]
    slot = await make_slot(db, board, facilitator)
    overlapping = await make_slot(db, board, facilitator, place="Table 2")
    a, b = await bearer(db, first), await bearer(db, second)
    both = await asyncio.gather(
        client.post(f"/api/v1/slots/{slot.id}/claim", json={}, headers=a),
        client.post(f"/api/v1/slots/{slot.id}/claim", json={}, headers=b),
    )
    assert sorted(r.status_code for r in both) == [200, 409]
    winner = first if both[0].status_code == 200 else second
    busy = await client.post(
        f"/api/v1/slots/{overlapping.id}/claim", json={}, headers=a if winner is first else b
    )
    assert busy.status_code == 409 and busy.json()["error"]["code"] == "expert_busy"
    participant = await make_member(db, board, Role.participant)
    refused = await client.post(
        f"/api/v1/slots/{overlapping.id}/claim", json={}, headers=await bearer(db, participant)
    )
    assert refused.status_code == 403
    released = await client.delete(
        f"/api/v1/slots/{slot.id}/claim", headers=a if winner is first else b
    )
    assert released.status_code == 200 and released.json()["status"] == "open"
    assigned = await client.post(
        f"/api/v1/slots/{slot.id}/claim",
        json={"expert_id": second.id},
        headers=await bearer(db, facilitator),
    )
    assert assigned.status_code == 200 and assigned.json()["expert"]["id"] == second.id
    not_expert = await client.post(
        f"/api/v1/slots/{overlapping.id}/claim",
        json={"expert_id": participant.id},
        headers=await bearer(db, facilitator),
    )
    assert not_expert.status_code == 422


async def test_expert_marks_the_session_and_facilitators_export_the_report(
    db: Database, client: httpx.AsyncClient
) -> None:
    board, facilitator, expert, slot = await brigade(
        db, starts_in=timedelta(minutes=-5), capacity=1
    )
    _too_soon_board, _too_soon_facilitator, too_soon_expert, future = await brigade(db)
    marked = await client.post(
        f"/api/v1/slots/{slot.id}/outcome",
        json={"outcome": "held"},
        headers=await bearer(db, expert),
    )
    assert marked.status_code == 200 and marked.json()["outcome"] == "held"
    early = await client.post(
        f"/api/v1/slots/{future.id}/outcome",
        json={"outcome": "missed"},
        headers=await bearer(db, too_soon_expert),
    )
    assert early.status_code == 409
    auth = await bearer(db, facilitator)
    page = await client.get(f"/b/{board.slug}/brigade/report", headers=auth)
    assert page.status_code == 200 and "Tenue" in page.text and ">held<" not in page.text
    csv_text = (await client.get(f"/b/{board.slug}/brigade/report.csv", headers=auth)).text
    assert csv_text.splitlines()[0].startswith("Date,")
    assert "held" in csv_text
    participant = await make_member(db, board, Role.participant)
    assert (
        await client.get(
            f"/b/{board.slug}/brigade/report.csv", headers=await bearer(db, participant)
        )
    ).status_code == 403


async def test_facilitators_set_the_deadline_and_edit_a_session(
    db: Database, client: httpx.AsyncClient
) -> None:
    board, facilitator, _expert, slot = await brigade(db, starts_in=timedelta(hours=3), capacity=2)
    participant = await make_member(db, board, Role.participant)
    auth = await bearer(db, participant)
    staff = {**await bearer(db, facilitator), "Origin": str(client.base_url)}
    booking = (
        await client.post(f"/api/v1/slots/{slot.id}/bookings", json=body(1), headers=auth)
    ).json()
    saved = await client.post(
        f"/b/{board.slug}/brigade/settings", data={"cancel_hours": "1"}, headers=staff
    )
    assert saved.status_code == 303
    refused = await client.post(
        f"/b/{board.slug}/brigade/settings", data={"cancel_hours": "-4"}, headers=staff
    )
    assert refused.status_code == 422
    edited = await client.post(
        f"/b/{board.slug}/brigade/slots/{slot.id}/edit",
        data={"place": "Salle B", "capacity": "3"},
        headers=staff,
    )
    assert edited.status_code == 303
    too_small = await client.post(
        f"/b/{board.slug}/brigade/slots/{slot.id}/edit", data={"capacity": "0"}, headers=staff
    )
    assert too_small.status_code == 422
    listed = (await client.get(f"/api/v1/boards/{board.slug}/slots")).json()["slots"]
    assert [(s["place"], s["capacity"]) for s in listed if s["id"] == slot.id] == [("Salle B", 3)]
    # With a 1-hour deadline, three hours before is still in time.
    cancelled = await client.delete(f"/api/v1/bookings/{booking['id']}", headers=auth)
    assert cancelled.status_code == 200


async def test_the_report_csv_runs_no_participants_formula(
    db: Database, client: httpx.AsyncClient
) -> None:
    board, facilitator, _expert, slot = await brigade(db)
    participant = await make_member(db, board, Role.participant)
    booked = await client.post(
        f"/api/v1/slots/{slot.id}/bookings",
        json={"need": '=HYPERLINK("https://evil.example")', "organisation": "@SUM(A1)"},
        headers=await bearer(db, participant),
    )
    assert booked.status_code == 201, booked.text
    report = await client.get(
        f"/b/{board.slug}/brigade/report.csv?needs=1", headers=await bearer(db, facilitator)
    )
    rows = list(csv.reader(io.StringIO(report.text, newline="")))
    booked_row = next(row for row in rows if row[7].endswith("@SUM(A1)"))
    assert booked_row[7] == "'@SUM(A1)"
    assert booked_row[-1] == '\'=HYPERLINK("https://evil.example")'
