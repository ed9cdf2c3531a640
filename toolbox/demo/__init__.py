"""`toolbox demo`: the French demo board of DESIGN.md §8, with its people.

The board's content (columns, cards, labels, people, their roles, the experts' profiles) is
`board.json`, a backup in the format `toolbox export SLUG --format json` writes, restored
through the backup's own import (`check_backup`, `restore_backup`): to change the demo, edit
that file, or build the board in the app, export it, and keep all but its `events`, `slots` and
`bookings` (the ids and moments in it matter only within the file). Only the brigade stays code,
since its sessions are dated from today. A backup restores the history it holds and this one
holds none, so the board's history begins with the brigade's events.

The accounts below are for trying the app on a laptop; the README lists them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from toolbox.accounts.services import create_user, user_by_email
from toolbox.board.access import BoardAccess, access_to
from toolbox.board.models import Board, Role
from toolbox.brigade.bookings import book_seat, mark_outcome, organisation_key
from toolbox.brigade.claims import claim_slot
from toolbox.brigade.models import Booking, BookingStatus, Outcome, Slot
from toolbox.brigade.schedule import create_grid
from toolbox.brigade.schemas import BookingIn, GridIn
from toolbox.db import Database, utcnow
from toolbox.transfer.backup import check_backup, restore_backup


@dataclass(frozen=True)
class DemoAccount:
    email: str
    password: str
    name: str
    role: Role | None
    is_admin: bool = False


FACILITATOR = DemoAccount(
    "animation@example.org", "animation-demo", "Camille Animation", Role.facilitator
)
PARTICIPANT = DemoAccount(
    "participant@example.org", "participant-demo", "Alex Participant", Role.participant
)
ADMIN = DemoAccount("admin@example.org", "admin-demo", "Admin", None, is_admin=True)
EXPERT_PASSWORD = "expert-demo"  # noqa: S105 - demo accounts, listed in the README
DEMO_ACCOUNTS = (ADMIN, FACILITATOR, PARTICIPANT)

#: A backup holds no passwords: the demo's people get one by their role on the board.
PASSWORDS = {
    Role.facilitator: FACILITATOR.password,
    Role.participant: PARTICIPANT.password,
    Role.expert: EXPERT_PASSWORD,
}

#: The brigade, which is code because its sessions are dated from today: each expert holds one
#: table's mornings, and these participants (named after their organisation) have booked.
TABLES = {
    "Table 1": "expert.donnees@example.org",
    "Table 2": "expert.strategie@example.org",
    "Table 3": "expert.ecoconception@example.org",
    "Table 4": "expert.collaboration@example.org",
}
BOOKERS = tuple(f"participant{n}@example.org" for n in range(1, 5))
NEED = "Faire le point sur nos outils numériques et prioriser nos projets."


def demo_document() -> dict[str, Any]:
    """The demo board as a backup document (`board.json`, shipped with the package)."""
    text = resources.files(__package__).joinpath("board.json").read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def as_of(document: dict[str, Any], now: datetime, timezone: str) -> dict[str, Any]:
    """The document made today, here: every creation and update stamped `now` (the cards show
    when they were updated), and the board in the deployment's time zone."""
    board = {**document["board"], "timezone": timezone, "created_at": now.isoformat()}
    fresh: dict[str, Any] = {**document, "board": board}
    for name, rows in document.items():
        if isinstance(rows, list):
            fresh[name] = [
                {
                    **row,
                    **{key: now.isoformat() for key in ("created_at", "updated_at") if key in row},
                }
                for row in rows
            ]
    return fresh


async def load_demo(db: Database, *, timezone: str) -> bool:
    """Load the demo board; False (and nothing written) when it is there already."""
    async with db.write() as session:
        return await write_demo(session, timezone=timezone) is not None


async def write_demo(session: AsyncSession, *, timezone: str) -> Board | None:
    """The demo board made in `session`, or None (and nothing written) when it is there."""
    backup = check_backup(as_of(demo_document(), utcnow(), timezone))
    existing = await session.scalar(select(Board.id).where(Board.slug == backup.board.slug))
    if existing is not None:
        return None
    if await user_by_email(session, ADMIN.email) is None:
        await create_user(
            session, ADMIN.email, name=ADMIN.name, password=ADMIN.password, is_admin=True
        )
    roles = {row.email: row.role for row in backup.sections["memberships"]}
    names = {row.email: row.name for row in backup.sections["people"]}
    # Made before the restore, which finds people by e-mail and leaves them as they are.
    for email, role in roles.items():
        if await user_by_email(session, email) is None:
            await create_user(session, email, name=names[email], password=PASSWORDS[role])
    board = await restore_backup(session, backup)
    facilitator = await user_by_email(session, FACILITATOR.email)
    assert facilitator is not None
    access = await access_to(session, board, facilitator)
    await _load_brigade(session, access, board)
    await _load_past_day(session, access, board)
    return board


async def _load_brigade(session: AsyncSession, access: BoardAccess, board: Board) -> None:
    """Three weekdays from a week from now, 9:00 to 16:00, 45-minute sessions, four tables; each
    expert holds one table's mornings, and a few organisations have booked."""
    zone = ZoneInfo(board.timezone)
    start = datetime.now(zone).date() + timedelta(days=7)
    weekdays = [start + timedelta(days=n) for n in range(7)]
    grid = GridIn(
        days=[day for day in weekdays if day.weekday() < 5][:3],
        start=time(9, 0),
        end=time(16, 0),
        minutes=45,
        gap=15,
        places=list(TABLES),
    )
    slots = await create_grid(session, access, grid)
    await session.flush()
    for table, email in TABLES.items():
        expert = await user_by_email(session, email)
        assert expert is not None
        for slot in slots:
            if slot.place == table and slot.starts_at.astimezone(zone).hour < 12:
                await claim_slot(session, access, slot.id, expert.id)
    claimed = [slot for slot in slots if slot.expert_id is not None]
    for number, email in enumerate(BOOKERS):
        participant = await user_by_email(session, email)
        assert participant is not None
        await book_seat(
            session,
            await access_to(session, board, participant),
            claimed[number * 3].id,
            BookingIn(organisation=participant.name, need=NEED),
            None,
        )


#: Yesterday's sessions, so that the report and the outcomes have something to show: each
#: expert held the morning at their table. (table, hour) -> who had booked, and how it went.
PAST_BOOKINGS = {
    ("Table 1", 9): ("participant1@example.org", Outcome.held),
    ("Table 2", 9): ("participant2@example.org", Outcome.missed),
    ("Table 3", 9): ("participant3@example.org", Outcome.held),
    ("Table 4", 9): ("participant4@example.org", Outcome.held),
    ("Table 1", 10): ("participant@example.org", Outcome.held),
    ("Table 4", 10): ("participant2@example.org", Outcome.missed),
}


async def _load_past_day(session: AsyncSession, access: BoardAccess, board: Board) -> None:
    """Yesterday's morning at the four tables, held and missed. The services refuse to book or
    claim a session in the past, so these are written as they would have been then; the
    outcomes go through the service (and the history) as an expert records them."""
    zone = ZoneInfo(board.timezone)
    yesterday = datetime.now(zone).date() - timedelta(days=1)
    for table, email in TABLES.items():
        expert = await user_by_email(session, email)
        assert expert is not None
        for hour in (9, 10, 11):
            booker_email, outcome = PAST_BOOKINGS.get((table, hour), (None, None))
            starts = datetime.combine(yesterday, time(hour, 0), zone)
            slot = Slot(
                board_id=board.id,
                starts_at=starts,
                ends_at=starts + timedelta(minutes=45),
                place=table,
                capacity=1,
                seats_taken=1 if booker_email else 0,
                expert_id=expert.id,
            )
            session.add(slot)
            await session.flush()
            if booker_email:
                booker = await user_by_email(session, booker_email)
                assert booker is not None
                session.add(
                    Booking(
                        board_id=board.id,
                        slot_id=slot.id,
                        participant_id=booker.id,
                        organisation=booker.name,
                        organisation_key=organisation_key(booker.name),
                        need=NEED,
                        status=BookingStatus.active,
                    )
                )
            if outcome:
                await mark_outcome(session, access, slot.id, outcome)
