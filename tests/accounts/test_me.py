"""`/me`: my bookings with cancelled ones kept and marked, past sessions, my place on a waitlist;
an expert's past sessions with how they went. Through a real server."""

from __future__ import annotations

from datetime import timedelta

import httpx

from tests.brigade.builders import cal_booking, cal_slot
from tests.factories import make_board, make_member, make_user, signed_in
from toolbox.board.models import Role
from toolbox.brigade.models import BookingStatus
from toolbox.db import Database, utcnow


def section(page: str, heading_id: str) -> str:
    start = page.index(f'id="{heading_id}"')
    end = page.find("</section>", start)
    return page[start:end]


async def test_me_keeps_cancelled_and_past_bookings_and_says_the_waitlist_place(
    db: Database, client: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    expert = await make_member(db, board, Role.expert)
    me = await make_member(db, board, Role.participant)
    others = [await make_member(db, board, Role.participant) for _ in range(2)]
    soon = await cal_slot(db, board, expert=expert, place="Table 1")
    await cal_booking(db, soon, me, status=BookingStatus.cancelled, organisation="Musée annulé")
    full = await cal_slot(db, board, expert=expert, place="Table 2")
    await cal_booking(db, full, others[0])
    await cal_booking(db, full, others[1], status=BookingStatus.waiting)
    await cal_booking(db, full, me, status=BookingStatus.waiting, organisation="Musée en attente")
    past = await cal_slot(db, board, expert=expert, starts_at=utcnow() - timedelta(days=3))
    await cal_booking(db, past, me, organisation="Musée d’hier")

    await signed_in(client, me)
    page = (await client.get("/me")).text
    mine = section(page, "my-bookings")
    upcoming, _sep, earlier = mine.partition("Séances passées")
    assert "Musée annulé" in upcoming and "Annulée" in upcoming
    assert "Musée en attente" in upcoming and "En liste d’attente, position 2" in upcoming
    assert "Musée d’hier" in earlier and "Musée d’hier" not in upcoming


async def test_an_expert_sees_past_sessions_and_how_they_went(
    db: Database, client: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    expert = await make_member(db, board, Role.expert)
    await cal_slot(db, board, expert=expert, place="Table à venir", capacity=3)
    await cal_slot(
        db, board, expert=expert, place="Table d’hier", starts_at=utcnow() - timedelta(days=1)
    )
    await signed_in(client, expert)
    held = section((await client.get("/me")).text, "my-sessions")
    coming, _sep, earlier = held.partition("Séances passées")
    assert "Table à venir" in coming and "0 place prise sur 3" in coming
    assert "Table d’hier" in earlier and "À indiquer : tenue ou manquée" in earlier
