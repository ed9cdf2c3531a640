"""A booking's need and organisation, and who booked, reach the participant, the slot's expert
and the facilitators, and nobody else: not in pages, API answers, websocket frames, the event
log or the server's log."""

from __future__ import annotations

import asyncio
import json

import httpx
from websockets.asyncio.client import connect

from tests.factories import bearer, make_board, make_member, make_slot, make_user
from tests.servers import LiveServer
from toolbox.board.models import Role
from toolbox.db import Database

NEED = "CANARI-BESOIN-7731 notre conseil d’administration hésite"
ORGANISATION = "ORG-CANARI-5521"


async def frames(ws, within: float = 1.5) -> str:  # type: ignore[no-untyped-def]
    seen = []
    try:
        async with asyncio.timeout(within):
            while True:
                seen.append(str(await ws.recv()))
    except TimeoutError:
        return "\n".join(seen)


async def test_the_need_never_reaches_anyone_else(
    db: Database, server: LiveServer, client: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    expert = await make_member(db, board, Role.expert)
    other_expert = await make_member(db, board, Role.expert)
    booker = await make_member(db, board, Role.participant)
    other = await make_member(db, board, Role.participant)
    slot = await make_slot(db, board, facilitator, expert=expert)
    await make_slot(db, board, facilitator, place="Table 2", expert=other_expert)
    seq = (await client.get(f"/api/v1/boards/{board.slug}")).json()["seq"]
    outsiders = {
        "visitor": {},
        "other participant": await bearer(db, other),
        "other expert": await bearer(db, other_expert),
    }
    entitled = {
        "booker": await bearer(db, booker),
        "expert": await bearer(db, expert),
        "facilitator": await bearer(db, facilitator),
    }
    url = f"ws://127.0.0.1:{server.port}/b/{board.slug}/ws"
    sockets = {}
    for name, headers in {**outsiders, **entitled}.items():
        for fmt in ("", "?format=json"):
            ws = await connect(url + fmt, additional_headers=headers)
            await ws.send(json.dumps({"resume": seq}))
            sockets[(name, fmt)] = ws
    try:
        await asyncio.sleep(0.3)
        booked = await client.post(
            f"/api/v1/slots/{slot.id}/bookings",
            json={"need": NEED, "organisation": ORGANISATION},
            headers=entitled["booker"],
        )
        assert booked.status_code == 201
        booking_id = booked.json()["id"]
        seen = {key: await frames(ws) for key, ws in sockets.items()}
    finally:
        for ws in sockets.values():
            await ws.close()

    for (name, fmt), text in seen.items():
        assert "slot.booked" in text or "slot-" in text, (name, fmt)  # everyone heard of it
        if name in outsiders:
            assert "CANARI" not in text, (name, fmt)
            assert booker.display_name not in text, (name, fmt)
    # The slot's expert sees the organisation live in the schedule; so do the facilitators.
    assert ORGANISATION in seen[("expert", "")] and ORGANISATION in seen[("facilitator", "")]

    for name, headers in outsiders.items():
        for path in (
            f"/b/{board.slug}/brigade",
            f"/b/{board.slug}/brigade/slots/{slot.id}",
            f"/api/v1/boards/{board.slug}/slots",
            f"/api/v1/boards/{board.slug}/events?after=0",
            f"/api/v1/bookings/{booking_id}",
            f"/b/{board.slug}",
            "/me",
        ):
            response = await client.get(path, headers=headers)
            assert "CANARI" not in response.text, (name, path)
            assert booker.display_name not in response.text, (name, path)
        assert (
            await client.get(f"/api/v1/bookings/{booking_id}", headers=headers)
        ).status_code in {401, 404}
    for name, headers in entitled.items():
        page = await client.get(f"/b/{board.slug}/brigade/slots/{slot.id}", headers=headers)
        assert "CANARI-BESOIN-7731" in page.text, name
        assert (await client.get(f"/api/v1/bookings/{booking_id}", headers=headers)).json()[
            "need"
        ] == NEED
    assert "CANARI" not in server.output()
    # The facilitators' history says who booked.
    history = await client.get(
        f"/api/v1/boards/{board.slug}/events?after={seq}", headers=entitled["facilitator"]
    )
    booked_events = [e for e in history.json()["events"] if e["type"] == "slot.booked"]
    assert booked_events and booked_events[0]["data"]["by"] == booker.display_name
