"""`toolbox demo`: the French demo board of DESIGN.md §8, with its people.

The accounts below are for trying the app on a laptop; the README lists them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from toolbox.accounts.services import create_user, user_by_email
from toolbox.board.access import BoardAccess, access_to
from toolbox.board.cards import create_card
from toolbox.board.members import set_membership
from toolbox.board.models import Board, Kind, Role, Visibility
from toolbox.board.schemas import BoardIn, CardIn, ColumnIn
from toolbox.board.services import create_board, create_column
from toolbox.brigade.bookings import book_seat
from toolbox.brigade.claims import claim_slot
from toolbox.brigade.models import ExpertProfile
from toolbox.brigade.schedule import create_grid
from toolbox.brigade.schemas import BookingIn, GridIn
from toolbox.db import Database
from toolbox.demo_data import (
    DEMO_BOARD,
    DEMO_COLUMNS,
    DEMO_EXPERTS,
    DEMO_PARTICIPANT_ORGANISATIONS,
)


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


async def load_demo(db: Database, *, timezone: str) -> bool:
    """Load the demo board; False (and nothing written) when it is there already."""
    async with db.write() as session:
        existing = await session.scalar(select(Board.id).where(Board.slug == DEMO_BOARD["slug"]))
        if existing is not None:
            return False
        users = {}
        for account in DEMO_ACCOUNTS:
            user = await user_by_email(session, account.email) or await create_user(
                session,
                account.email,
                name=account.name,
                password=account.password,
                is_admin=account.is_admin,
            )
            users[account.email] = user
        board = await create_board(
            session,
            None,
            BoardIn(
                slug=DEMO_BOARD["slug"],
                title=DEMO_BOARD["title"],
                description=DEMO_BOARD["description"],
                visibility=Visibility.public,
            ),
            default_timezone=timezone,
        )
        for account in (FACILITATOR, PARTICIPANT):
            assert account.role is not None
            await set_membership(session, board, users[account.email], account.role)
        for expert in DEMO_EXPERTS:
            person = await user_by_email(session, expert["email"]) or await create_user(
                session, expert["email"], name=expert["name"], password=EXPERT_PASSWORD
            )
            await set_membership(session, board, person, Role.expert)
        access = await access_to(session, board, users[FACILITATOR.email])
        for column_data in DEMO_COLUMNS:
            column = await create_column(
                session,
                access,
                ColumnIn(title=column_data["title"], description=column_data["description"]),
            )
            for card in column_data["cards"]:
                await create_card(
                    session,
                    access,
                    CardIn(
                        column_id=column.id,
                        title=card["title"],
                        url=card["url"],
                        description=card["description"],
                        kind=Kind(card["kind"]),
                        languages=card["languages"],
                        audiences=card["audiences"],
                        labels=card["labels"],
                        source=card["source"],
                        licence=card["licence"],
                    ),
                )
        await _load_brigade(session, access, board, timezone)
    return True


async def _load_brigade(
    session: AsyncSession, access: BoardAccess, board: Board, timezone: str
) -> None:
    """Three days a week from now, 9:00 to 16:00, 45-minute sessions, four tables; each expert
    holds one table's mornings, and a few organisations have booked."""
    start = datetime.now(ZoneInfo(timezone)).date() + timedelta(days=7)
    weekdays = [start + timedelta(days=n) for n in range(7)]
    grid = GridIn(
        days=[day for day in weekdays if day.weekday() < 5][:3],
        start=time(9, 0),
        end=time(16, 0),
        minutes=45,
        gap=15,
        places=[f"Table {n}" for n in range(1, 5)],
    )
    slots = await create_grid(session, access, grid)
    await session.flush()
    experts = []
    for number, expert in enumerate(DEMO_EXPERTS):
        person = await user_by_email(session, expert["email"])
        assert person is not None
        experts.append(person)
        session.add(
            ExpertProfile(
                board_id=board.id,
                user_id=person.id,
                specialities=expert["specialities"],
                languages=expert["languages"],
                bio=expert["bio"],
            )
        )
        table = f"Table {number + 1}"
        for slot in slots:
            if slot.place == table and slot.starts_at.astimezone(ZoneInfo(timezone)).hour < 12:
                await claim_slot(session, access, slot.id, person.id)
    claimed = [slot for slot in slots if slot.expert_id is not None]
    for number, organisation in enumerate(DEMO_PARTICIPANT_ORGANISATIONS[:4]):
        person = await user_by_email(
            session, f"participant{number + 1}@example.org"
        ) or await create_user(
            session,
            f"participant{number + 1}@example.org",
            name=organisation,
            password=PARTICIPANT.password,
        )
        await set_membership(session, board, person, Role.participant)
        participant_access = await access_to(session, board, person)
        await book_seat(
            session,
            participant_access,
            claimed[number * 3].id,
            BookingIn(
                organisation=organisation,
                need="Faire le point sur nos outils numériques et prioriser nos projets.",
            ),
            None,
        )
