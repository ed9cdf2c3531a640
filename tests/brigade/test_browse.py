"""The brigade as a participant browses it, through a real server: each expert's specialities
and bio, filters by speciality and day, the sessions I can still book, a visitor invited to sign
in, the schedule builder's confirmation, the zone by its name."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx

from tests.board.builders import access_of
from tests.brigade.builders import cal_booking, cal_slot
from tests.factories import make_board, make_member, make_user, origin, signed_in
from toolbox.accounts.models import User
from toolbox.board.models import Board, Registration, Role
from toolbox.brigade.claims import save_profile
from toolbox.brigade.schemas import ExpertProfileIn
from toolbox.db import Database


async def expert_with(db: Database, board: Board, specialities: list[str], bio: str) -> User:
    expert = await make_member(db, board, Role.expert)
    async with db.write() as session:
        access = await access_of(session, board, expert)
        await save_profile(session, access, ExpertProfileIn(specialities=specialities, bio=bio))
    return expert


def cells(page: str) -> dict[str, str]:
    """Each session's cell on the page, by slot id."""
    return dict(re.findall(r'<td id="slot-(\d+)" class="slot[^"]*"[^>]*>(.*?)</td>', page, re.S))


async def test_a_participant_filters_the_brigade_and_sees_what_they_can_book(
    db: Database, client: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    data = await expert_with(db, board, ["Métadonnées", "Wikidata"], "Bibliothécaire de métier.")
    green = await expert_with(db, board, ["Écoconception"], "Sobriété numérique.")
    me = await make_member(db, board, Role.participant)
    other = await make_member(db, board, Role.participant)
    first_day = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    free = await cal_slot(db, board, expert=data, starts_at=first_day, place="Table 1")
    booked = await cal_slot(db, board, expert=data, starts_at=first_day, place="Table 2")
    await cal_booking(db, booked, me)
    full = await cal_slot(db, board, expert=data, starts_at=first_day, place="Table 3")
    await cal_booking(db, full, other)
    unclaimed = await cal_slot(db, board, starts_at=first_day, place="Table 4")
    later = await cal_slot(db, board, expert=green, starts_at=first_day + timedelta(days=1))

    await signed_in(client, me)
    page = (await client.get(f"/b/{board.slug}/brigade")).text
    assert "Bibliothécaire de métier." in page and "Sobriété numérique." in page
    assert "America/Toronto" not in page and "heure de l’Est (UTC" in page
    shown = cells(page)
    assert set(shown) == {str(s.id) for s in (free, booked, full, unclaimed, later)}
    assert "Places libres" in shown[str(free.id)] and ">Réserver<" in shown[str(free.id)]
    assert "Métadonnées\u00a0· Wikidata" in shown[str(free.id)]  # no line starts with "·"
    assert "Votre réservation" in shown[str(booked.id)] and "Réserver" not in shown[str(booked.id)]
    assert "Complet : liste d’attente" in shown[str(full.id)]
    assert "S’inscrire sur la liste d’attente" in shown[str(full.id)]
    assert "Pas encore d’expert" in shown[str(unclaimed.id)]
    assert "Réserver" not in shown[str(unclaimed.id)]
    # A session without an expert offers a participant nothing to follow (page weight, issue 16).
    assert "<a " not in shown[str(unclaimed.id)] and "<button" not in shown[str(unclaimed.id)]
    assert "0 place prise sur 1" in shown[str(free.id)]
    assert "place(s)" not in page

    speciality = await client.get(f"/b/{board.slug}/brigade", params={"speciality": "wikidata"})
    assert set(cells(speciality.text)) == {str(s.id) for s in (free, booked, full)}
    day = (first_day + timedelta(days=1)).astimezone(ZoneInfo(board.timezone)).date()
    by_day = await client.get(f"/b/{board.slug}/brigade", params={"day": day.isoformat()})
    assert set(cells(by_day.text)) == {str(later.id)}
    bookable = await client.get(f"/b/{board.slug}/brigade", params={"bookable": "1"})
    assert set(cells(bookable.text)) == {str(free.id), str(later.id)}
    nothing = await client.get(
        f"/b/{board.slug}/brigade", params={"speciality": "Écoconception", "day": "2020-01-01"}
    )
    assert cells(nothing.text) == {} and "Aucune séance ne correspond" in nothing.text


async def test_a_session_without_an_expert_is_claimed_or_opened_by_those_who_act_on_it(
    db: Database, client: httpx.AsyncClient
) -> None:
    """An expert takes it from the cell (the page's one claim form, the button's own address);
    a facilitator follows its link to its page; a visitor reads its state."""
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    expert = await expert_with(db, board, ["Stratégie"], "")
    unclaimed = await cal_slot(db, board, place="Table 4")
    other = await cal_slot(db, board, place="Table 5")
    path = f"/b/{board.slug}/brigade"

    visitor = cells((await client.get(path)).text)[str(unclaimed.id)]
    assert "Pas encore d’expert" in visitor and "<a " not in visitor and "<button" not in visitor

    await signed_in(client, expert)
    page = (await client.get(path)).text
    assert '<form id="claim" method="post" hidden></form>' in page
    cell = cells(page)[str(unclaimed.id)]
    claim = f"/b/{board.slug}/brigade/slots/{unclaimed.id}/claim"
    assert f'form="claim" formaction="{claim}"' in cell and ">Prendre</button>" in cell
    assert 'aria-label="Prendre : ' in cell and "<a " not in cell
    taken = await client.post(claim, headers=origin(client))
    assert taken.status_code == 303
    cell = cells((await client.get(path)).text)[str(unclaimed.id)]
    assert expert.display_name in cell and "Stratégie" in cell and "<button" not in cell

    client.cookies.clear()
    await signed_in(client, facilitator)
    page = (await client.get(path)).text
    assert '<form id="claim"' not in page
    cell = cells(page)[str(other.id)]
    assert (
        f'href="/b/{board.slug}/brigade/slots/{other.id}"' in cell
        and "Détails de la séance" in cell
    )
    assert "<button" not in cell


async def test_a_visitor_is_invited_to_sign_in_to_book(
    db: Database, client: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    by_invitation = await make_board(db, facilitator=facilitator)
    open_board = await make_board(db, facilitator=facilitator, registration=Registration.open)
    for board in (by_invitation, open_board):
        expert = await expert_with(db, board, ["Stratégie"], "")
        slot = await cal_slot(db, board, expert=expert)
        for path in (f"/b/{board.slug}/brigade", f"/b/{board.slug}/brigade/slots/{slot.id}"):
            page = (await client.get(path)).text
            assert f'href="/login?next={path}"' in page
            assert ">Réserver<" not in page
            if board is open_board:
                # "Sign in or register": registering is offered where the board allows it.
                assert (
                    "Connectez-vous</a> ou" in page and "inscrivez-vous</a> pour réserver" in page
                )
                assert f'href="/register/{board.slug}"' in page
            else:
                assert "Connectez-vous pour réserver" in page, path
                assert "/register/" not in page


async def test_the_schedule_builder_says_what_it_added(
    db: Database, client: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    await signed_in(client, facilitator)
    day = (datetime.now(UTC) + timedelta(days=10)).date().isoformat()
    built = await client.post(
        f"/b/{board.slug}/brigade/schedule",
        data={
            "days": day,
            "start": "09:00",
            "end": "11:00",
            "minutes": "45",
            "gap": "15",
            "places": "Table 1, Table 2",
        },
        headers=origin(client),
    )
    assert built.status_code == 303
    page = (await client.get(built.headers["location"])).text
    assert "4 séances ajoutées à l’horaire." in page
