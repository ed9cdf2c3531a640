"""Building the schedule: one slot or a grid, in the board's zone, right across DST changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import httpx

from tests.factories import bearer, make_board, make_member, make_user
from toolbox.board.models import Role
from toolbox.brigade.schedule import grid_times
from toolbox.brigade.schemas import GridIn
from toolbox.db import Database


def test_grid_is_laid_out_in_wall_clock_time_across_daylight_saving_changes() -> None:
    grid = GridIn(
        days=[date(2026, 3, 7), date(2026, 3, 8), date(2026, 10, 31), date(2026, 11, 1)],
        start=time(9, 0),
        end=time(16, 0),
        minutes=45,
        gap=15,
    )
    sessions = grid_times(grid, "America/Toronto")
    firsts = [start for start, _end in sessions if start.minute == 0 and start.hour in (13, 14)]
    by_day = {}
    for start, end in sessions:
        by_day.setdefault(start.date(), []).append((start, end))
    # 9:00 to 16:00, 45 minutes plus 15: sessions at 9, 10, …, 15 → 7 a day, each ending by 16:00.
    assert [len(day) for day in by_day.values()] == [7, 7, 7, 7]
    assert by_day[date(2026, 3, 7)][0][0] == datetime(2026, 3, 7, 14, 0, tzinfo=UTC)  # EST
    assert by_day[date(2026, 3, 8)][0][0] == datetime(2026, 3, 8, 13, 0, tzinfo=UTC)  # EDT
    assert by_day[date(2026, 10, 31)][0][0] == datetime(2026, 10, 31, 13, 0, tzinfo=UTC)  # EDT
    assert by_day[date(2026, 11, 1)][0][0] == datetime(2026, 11, 1, 14, 0, tzinfo=UTC)  # EST
    assert by_day[date(2026, 11, 1)][-1][1] == datetime(2026, 11, 1, 20, 45, tzinfo=UTC)  # 15:45
    assert firsts


async def test_facilitator_creates_a_grid_and_everyone_sees_local_times(
    db: Database, client: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    auth = await bearer(db, facilitator)
    body = {
        "days": ["2027-03-14", "2027-03-13"],
        "start": "09:00",
        "end": "11:00",
        "minutes": 45,
        "gap": 15,
        "places": ["Table 1", "Table 2"],
    }
    created = await client.post(f"/api/v1/boards/{board.slug}/slots", json=body, headers=auth)
    assert created.status_code == 201, created.text
    slots = created.json()["slots"]
    assert len(slots) == 2 * 2 * 2  # two days, two sessions a day, two tables
    listed = (await client.get(f"/api/v1/boards/{board.slug}/slots")).json()["slots"]
    starts = sorted({s["starts_at"] for s in listed})
    assert starts == [
        "2027-03-13T14:00:00+00:00",
        "2027-03-13T15:00:00+00:00",
        "2027-03-14T13:00:00+00:00",
        "2027-03-14T14:00:00+00:00",
    ]
    page = (await client.get(f"/b/{board.slug}/brigade")).text
    assert page.count("09 h 00") + page.count("9:00") >= 2 or page.count("09:00") >= 2
    assert all(s["status"] == "open" and s["expert"] is None for s in listed)


async def test_single_slot_and_bad_grids(db: Database, client: httpx.AsyncClient) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    auth = await bearer(db, facilitator)
    single = await client.post(
        f"/api/v1/boards/{board.slug}/slots",
        json={
            "starts_at": "2027-01-05T10:00",
            "ends_at": "2027-01-05T10:45",
            "place": "Salle A",
            "capacity": 3,
        },
        headers=auth,
    )
    assert single.status_code == 201
    assert single.json()["slots"][0]["starts_at"] == "2027-01-05T15:00:00+00:00"
    bad = [
        ({"starts_at": "2027-01-05T10:00", "ends_at": "2027-01-05T09:00"}, None),
        ({"days": ["2027-01-05"], "start": "16:00", "end": "09:00", "minutes": 45}, None),
        ({"days": ["2027-01-05"], "start": "09:00", "end": "09:30", "minutes": 45}, "end"),
        ({"days": ["not a date"], "start": "09:00", "end": "16:00", "minutes": 45}, "days"),
        ({"days": ["2027-01-05"], "start": "09:00", "end": "16:00", "minutes": 0}, "minutes"),
        # Before the first day Python knows once moved to UTC: was a 500.
        (
            {"starts_at": "0001-01-01T00:00:00+02:02", "ends_at": "0001-01-01T01:00:00+02:02"},
            "starts_at",
        ),
        ({"starts_at": "9999-12-31T22:00", "ends_at": "9999-12-31T23:00"}, "starts_at"),
        ({"days": ["0001-01-01"], "start": "09:00", "end": "16:00", "minutes": 45}, "days"),
    ]
    for body, field in bad:
        response = await client.post(f"/api/v1/boards/{board.slug}/slots", json=body, headers=auth)
        assert response.status_code == 422, (body, response.text)
        if field:
            assert response.json()["error"]["field"] == field
    too_early = await client.post(
        f"/api/v1/boards/{board.slug}/slots",
        json={"starts_at": "1999-12-31T10:00", "ends_at": "1999-12-31T11:00"},
        headers={**auth, "Accept-Language": "fr-CA"},
    )
    assert too_early.status_code == 422
    assert "entre les années 2000 et 2100" in too_early.json()["error"]["message"]
    participant = await make_member(db, board, Role.participant)
    refused = await client.post(
        f"/api/v1/boards/{board.slug}/slots",
        json={"starts_at": "2027-01-05T10:00", "ends_at": "2027-01-05T10:45"},
        headers=await bearer(db, participant),
    )
    assert refused.status_code == 403
    assert len((await client.get(f"/api/v1/boards/{board.slug}/slots")).json()["slots"]) == 1
