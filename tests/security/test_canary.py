"""A canary booking: its need and organisation are strings found nowhere else. Every surface a
person can read (pages, fragments, the API, the event log, live frames, feeds, calendars,
exports, the EPUB pocket, the print page, search) is fetched as everyone who is not entitled, and
the canary never appears; the participant, the slot's expert and the facilitators see it where
they should (DESIGN.md §2, confidentiality). Also: who may open the board's socket, and which
frames reach whom (`member.*` and `suggestion.*` to facilitators alone)."""

from __future__ import annotations

import asyncio
import io
import json
import zipfile
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.factories import bearer, make_member, make_slot
from tests.names import unique
from tests.security.world import ROLES, World
from tests.servers import LiveServer
from toolbox.board.models import Role
from toolbox.brigade.calendar import calendar_token
from toolbox.db import Database

NEED = f"CANARI-BESOIN-{unique('n')} notre conseil hésite"
ORGANISATION = f"ORG-CANARI-{unique('o')}"
CANARIES = (NEED, ORGANISATION, "CANARI-BESOIN", "ORG-CANARI")


def text_of(response: httpx.Response) -> str:
    """What a person could read in a response: an EPUB (a zip) is opened, every file read."""
    if response.content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(response.content)) as book:
            return "\n".join(book.read(name).decode(errors="replace") for name in book.namelist())
    return response.text


async def frames(ws: ClientConnection, quiet: float = 1.5) -> list[str]:
    """Everything the socket hears until it has been quiet for `quiet` seconds."""
    seen: list[str] = []
    try:
        while True:
            seen.append(str(await asyncio.wait_for(ws.recv(), quiet)))
    except (TimeoutError, ConnectionClosed):
        return seen


@dataclass
class Canary:
    """The booking, and everything heard and fetched around it."""

    slot_id: int
    booking_id: int
    heard: dict[tuple[str, str], list[str]]  # (who, format) → frames
    headers: dict[str, dict[str, str]]  # who → credentials
    tokens: dict[str, str]  # who → calendar token


OUTSIDERS = ("visitor", "other_facilitator", "other_participant", "other_expert")
ENTITLED = ("participant", "expert", "facilitator", "admin")


@pytest.fixture(scope="session")
async def canary(world: World, db: Database, server: LiveServer) -> AsyncIterator[Canary]:
    board = world.boards["public"]
    staff = world.staff["public"]
    other_expert = await make_member(db, board, Role.expert)
    newcomer = await make_member(db, board, Role.participant)
    slot = await make_slot(
        db,
        board,
        staff.facilitator,
        expert=staff.expert,
        capacity=3,
        place="Salle canari",
        starts_in=timedelta(days=300),  # past every kit's sessions (world.py)
    )
    headers = {role: world.headers(role) for role in ROLES}
    headers["other_participant"] = await bearer(db, staff.other_participant)
    headers["other_expert"] = await bearer(db, other_expert)
    people = {**world.people, "other_participant": staff.other_participant}
    people["other_expert"] = other_expert
    tokens = {who: calendar_token("test-secret-key", person) for who, person in people.items()}
    async with httpx.AsyncClient(base_url=server.url, timeout=20) as client:
        seq = (await client.get(f"/api/v1/boards/{board.slug}")).json()["seq"]
        url = f"ws://127.0.0.1:{server.port}/b/{board.slug}/ws"
        async with AsyncExitStack() as stack:
            sockets = {}
            for who in (*OUTSIDERS, *ENTITLED):
                for fmt in ("html", "json"):
                    query = "?format=json" if fmt == "json" else ""
                    ws = await stack.enter_async_context(
                        connect(url + query, additional_headers=headers[who])
                    )
                    await ws.send(json.dumps({"resume": seq}))
                    sockets[(who, fmt)] = ws
            await asyncio.sleep(0.3)
            # The other participant books the same session first: they are "involved" in it, and
            # still must not see the canary's need.
            first = await client.post(
                f"/api/v1/slots/{slot.id}/bookings",
                json={"need": "Autre besoin", "organisation": unique("Autre org")},
                headers=headers["other_participant"],
            )
            assert first.status_code == 201, first.text
            booked = await client.post(
                f"/api/v1/slots/{slot.id}/bookings",
                json={"need": NEED, "organisation": ORGANISATION},
                headers=headers["participant"],
            )
            assert booked.status_code == 201, booked.text
            # A suggestion and a role change: for the facilitators' eyes only.
            suggested = await client.post(
                f"/api/v1/boards/{board.slug}/suggestions",
                json={"title": unique("Suggestion canari")},
                headers=headers["participant"],
            )
            assert suggested.status_code == 201, suggested.text
            promoted = await client.post(
                f"/b/{board.slug}/members/{newcomer.id}/role",
                data={"role": "expert"},
                headers=headers["facilitator"],
            )
            assert promoted.status_code == 303, promoted.text
            # Listened to side by side: each socket gets the same time to hear everything.
            heard_lists = await asyncio.gather(*(frames(ws) for ws in sockets.values()))
            heard = dict(zip(sockets, heard_lists, strict=True))
    yield Canary(slot.id, booked.json()["id"], heard, headers, tokens)


def surfaces(world: World, canary: Canary, who: str) -> list[str]:
    slug = world.boards["public"].slug
    return [
        "/",
        "/me",
        f"/b/{slug}",
        f"/b/{slug}/brigade",
        f"/b/{slug}/brigade/slots/{canary.slot_id}",
        f"/b/{slug}/brigade/report",
        f"/b/{slug}/brigade/report.csv",
        f"/b/{slug}/room",
        f"/b/{slug}/print",
        f"/b/{slug}/pocket.epub",
        f"/b/{slug}/feed.atom",
        f"/b/{slug}/export.csv",
        f"/b/{slug}/export.json",
        f"/b/{slug}/manage",
        f"/b/{slug}/mine.json",
        f"/api/v1/boards/{slug}",
        f"/api/v1/boards/{slug}/slots",
        f"/api/v1/boards/{slug}/events?after=0",
        f"/api/v1/boards/{slug}/search?q=CANARI",
        f"/api/v1/boards/{slug}/experts",
        f"/api/v1/bookings/{canary.booking_id}",
        f"/bookings/{canary.booking_id}.ics",
        f"/calendar/{canary.tokens.get(who, 'none')}.ics",
        "/api/v1/me/favourites",
    ]


@pytest.mark.parametrize("who", OUTSIDERS)
async def test_the_canary_reaches_no_outsider(
    who: str, world: World, canary: Canary, client: httpx.AsyncClient
) -> None:
    for path in surfaces(world, canary, who):
        response = await client.get(path, headers=canary.headers[who])
        assert response.status_code < 500, (who, path)
        text = text_of(response)
        for word in CANARIES:
            assert word not in text, (who, path)
    for fmt in ("html", "json"):
        heard = "\n".join(canary.heard[(who, fmt)])
        assert heard, (who, fmt)  # they did hear of the changes
        for word in CANARIES:
            assert word not in heard, (who, fmt)
    for frame in canary.heard[(who, "json")]:
        event = json.loads(frame)
        if event.get("type") == "slot.booked":
            assert "by" not in event["data"], who  # not even who booked
        assert not str(event.get("type", "")).startswith(("member.", "suggestion.")), who


@pytest.mark.parametrize("who", ENTITLED)
async def test_the_canary_reaches_those_entitled(
    who: str, world: World, canary: Canary, client: httpx.AsyncClient
) -> None:
    slug = world.boards["public"].slug
    page = await client.get(
        f"/b/{slug}/brigade/slots/{canary.slot_id}", headers=canary.headers[who]
    )
    assert NEED in page.text and ORGANISATION in page.text, who
    booking = await client.get(f"/api/v1/bookings/{canary.booking_id}", headers=canary.headers[who])
    assert booking.json()["need"] == NEED, who
    ics = await client.get(f"/bookings/{canary.booking_id}.ics", headers=canary.headers[who])
    assert ics.status_code == 200 and "BEGIN:VEVENT" in ics.text, who
    if who != "participant":
        # The slot's expert and the facilitators see the organisation live in the schedule.
        assert ORGANISATION in "\n".join(canary.heard[(who, "html")]), who
    else:
        assert ORGANISATION in (await client.get("/me", headers=canary.headers[who])).text


async def test_the_facilitators_report_names_the_canary(
    world: World, canary: Canary, client: httpx.AsyncClient
) -> None:
    slug = world.boards["public"].slug
    report = await client.get(
        f"/b/{slug}/brigade/report.csv", headers=canary.headers["facilitator"]
    )
    assert ORGANISATION in report.text


@pytest.mark.parametrize("who", ("facilitator", "admin"))
async def test_member_and_suggestion_frames_reach_facilitators(who: str, canary: Canary) -> None:
    types = {json.loads(frame).get("type") for frame in canary.heard[(who, "json")]}
    assert {"member.updated", "suggestion.created", "slot.booked"} <= types
    booked = [json.loads(f) for f in canary.heard[(who, "json")]]
    assert any(e.get("type") == "slot.booked" and e["data"].get("by") for e in booked)


# --- who may open the board's socket ----------------------------------------------------------


@pytest.mark.parametrize("board", ["public", "members"])
@pytest.mark.parametrize("role", ROLES)
async def test_who_may_open_the_socket(
    board: str, role: str, world: World, server: LiveServer, client: httpx.AsyncClient
) -> None:
    """The socket's row of the matrix (`board_socket` in test_matrix.EXPECTED: the board's
    readers): a members-only board's socket refuses a visitor and a non-member; everyone else
    hears the next change."""
    slug = world.boards[board].slug
    url = f"ws://127.0.0.1:{server.port}/b/{slug}/ws?format=json"
    refused = board == "members" and role in {"visitor", "other_facilitator"}
    if refused:
        with pytest.raises(InvalidStatus) as answer:
            async with connect(url, additional_headers=world.headers(role)):
                pass
        assert answer.value.response.status_code == 403
        return
    staff = world.headers("facilitator")
    seq = (await client.get(f"/api/v1/boards/{slug}", headers=staff)).json()["seq"]
    async with connect(url, additional_headers=world.headers(role)) as ws:
        await ws.send(json.dumps({"resume": seq}))
        title = unique("Colonne entendue")
        created = await client.post(
            f"/api/v1/boards/{slug}/columns", json={"title": title}, headers=staff
        )
        assert created.status_code == 201
        heard: list[dict[str, Any]] = []
        async with asyncio.timeout(10):
            while not any(event.get("type") == "column.created" for event in heard):
                heard.append(json.loads(await ws.recv()))
        assert title in json.dumps(heard, ensure_ascii=False)
