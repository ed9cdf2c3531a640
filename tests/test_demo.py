"""`toolbox demo`: `toolbox/demo/board.json` restored as the demo board, with its brigade dated
from today. Each test in a rolled-back transaction, on SQLite and PostgreSQL."""

from __future__ import annotations

import tomllib
from collections import Counter
from datetime import datetime, timedelta
from fnmatch import fnmatch
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from toolbox.accounts.models import User
from toolbox.accounts.services import authenticate
from toolbox.board.access import access_to
from toolbox.board.models import Board
from toolbox.brigade.models import Booking, Slot
from toolbox.brigade.report import report_rows
from toolbox.db import utcnow
from toolbox.demo import (
    ADMIN,
    BOOKERS,
    DEMO_ACCOUNTS,
    EXPERT_PASSWORD,
    FACILITATOR,
    TABLES,
    demo_document,
    write_demo,
)
from toolbox.transfer.backup import export_backup

ROOT = Path(__file__).resolve().parent.parent
ZONE = "Europe/Paris"
MOMENTS = ("created_at", "updated_at")


def content(document: dict[str, Any]) -> dict[str, Any]:
    """What a person sees of a board's backup: its rows without ids and moments, cards by the
    title of their column."""
    columns = {row["id"]: row["title"] for row in document["columns"]}

    def strip(row: dict[str, Any], *drop: str) -> dict[str, Any]:
        return {key: value for key, value in row.items() if key not in {*drop, *MOMENTS}}

    return {
        "board": strip(document["board"], "seq", "timezone"),
        "people": sorted(document["people"], key=lambda row: row["email"]),
        "labels": sorted((strip(row, "id") for row in document["labels"]), key=str),
        "columns": [strip(row, "id") for row in document["columns"]],
        "cards": [
            {**strip(row, "id", "column_id"), "column": columns[row["column_id"]]}
            for row in document["cards"]
        ],
        "memberships": sorted(
            (strip(row) for row in document["memberships"]), key=lambda row: row["email"]
        ),
        "profiles": sorted(document["profiles"], key=lambda row: row["email"]),
    }


async def test_the_demo_board_is_board_json_made_today_in_the_deployments_time_zone(
    session: AsyncSession,
) -> None:
    before = utcnow()
    board = await write_demo(session, timezone=ZONE)
    assert board is not None and board.timezone == ZONE
    exported = await export_backup(session, board)
    data = demo_document()
    assert content(exported) == content(data)
    assert len(exported["columns"]) == 8 and len(exported["cards"]) == 44
    # The file's moments are replaced by the loading's: a card shows when it was updated.
    moments = [exported["board"]["created_at"]] + [
        row[key]
        for name in ("columns", "cards", "memberships")
        for row in exported[name]
        for key in MOMENTS
        if key in row
    ]
    assert all(datetime.fromisoformat(moment) >= before for moment in moments)
    # Labels come back in the file's order, so a fresh database numbers them as the file does.
    assert [row["name"] for row in sorted(exported["labels"], key=lambda row: row["id"])] == [
        row["name"] for row in data["labels"]
    ]


async def test_the_demo_people_sign_in_with_the_passwords_of_their_role(
    session: AsyncSession,
) -> None:
    assert await write_demo(session, timezone=ZONE) is not None
    for account in DEMO_ACCOUNTS:
        person = await authenticate(session, account.email, account.password)
        assert person is not None and person.is_admin == (account is ADMIN)
    for email in [*TABLES.values()]:
        assert await authenticate(session, email, EXPERT_PASSWORD) is not None
    for email in BOOKERS:
        assert await authenticate(session, email, "participant-demo") is not None


async def test_the_brigade_is_dated_from_today(session: AsyncSession) -> None:
    board = await write_demo(session, timezone=ZONE)
    assert board is not None
    zone = ZoneInfo(ZONE)
    every = list(await session.scalars(select(Slot).where(Slot.board_id == board.id)))
    today = datetime.now(zone).date()
    slots = [slot for slot in every if slot.starts_at.astimezone(zone).date() > today]
    days = sorted({slot.starts_at.astimezone(zone).date() for slot in slots})
    assert len(days) == 3 and all(day.weekday() < 5 for day in days)
    assert today + timedelta(days=7) <= days[0] and days[-1] <= today + timedelta(days=13)
    # 7 sessions a day (45 minutes and a 15-minute gap, 9:00 to 16:00), four tables.
    assert len(slots) == 3 * 7 * 4
    exported = await export_backup(session, board)
    coming = [
        slot
        for slot in exported["slots"]
        if datetime.fromisoformat(slot["starts_at"]).astimezone(zone).date() > today
    ]
    held = Counter(
        (slot["place"], slot["expert"])
        for slot in coming
        if datetime.fromisoformat(slot["starts_at"]).astimezone(zone).hour < 12
    )
    # Each expert holds their table's mornings (three sessions a day) and nothing else.
    assert held == Counter({(table, email): 9 for table, email in TABLES.items()})
    assert sum(1 for slot in coming if slot["expert"]) == 36
    names = {row["email"]: row["name"] for row in exported["people"]}
    coming_ids = {slot["id"] for slot in coming}
    bookings = [row for row in exported["bookings"] if row["slot_id"] in coming_ids]
    assert [(row["participant"], row["organisation"]) for row in bookings] == [
        (email, names[email]) for email in BOOKERS
    ]
    assert {row["status"] for row in bookings} == {"active"}


async def test_the_brigade_has_a_past_day_held_and_missed(session: AsyncSession) -> None:
    board = await write_demo(session, timezone=ZONE)
    assert board is not None
    zone = ZoneInfo(ZONE)
    yesterday = datetime.now(zone).date() - timedelta(days=1)
    slots = list(await session.scalars(select(Slot).where(Slot.board_id == board.id)))
    past = [slot for slot in slots if slot.starts_at.astimezone(zone).date() == yesterday]
    assert len(past) == 3 * 4 and all(slot.expert_id for slot in past)
    outcomes = Counter(slot.outcome.value if slot.outcome else None for slot in past)
    assert outcomes == Counter({"held": 4, "missed": 2, None: 6})
    facilitator = await session.scalar(select(User).where(User.email == FACILITATOR.email))
    assert facilitator is not None
    access = await access_to(session, board, facilitator)
    rows = await report_rows(session, access, with_needs=False)
    assert {row.outcome for row in rows} >= {"held", "missed"}


async def test_a_second_run_writes_nothing(session: AsyncSession) -> None:
    assert await write_demo(session, timezone=ZONE) is not None
    counts = [
        await session.scalar(select(func.count()).select_from(table))
        for table in (Board, Slot, Booking)
    ]
    assert await write_demo(session, timezone=ZONE) is None
    assert counts == [
        await session.scalar(select(func.count()).select_from(table))
        for table in (Board, Slot, Booking)
    ]


def test_board_json_is_shipped_with_the_package() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["toolbox"]
    assert any(fnmatch("demo/board.json", pattern) for pattern in patterns)
    assert (ROOT / "toolbox" / "demo" / "board.json").is_file()
