"""The world the security tests attack: people in every role, and boards full of things to reach.

- `public` and `members` are two boards with the same people: a facilitator, an expert, a
  participant (and a second participant, whose booking is "another participant's").
- `other` is a third, members-only board: its facilitator is the "facilitator of another board"
  of the matrix, and its objects are the "other objects" that nobody of the first two may touch.
- the admin is a member of nothing.

Everything is made through the services (tests/board/builders.py, tests/brigade/builders.py), and
everyone has an API token, so that a request as anyone costs no password hashing.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from tests.accounts.builders import PASSWORD, new_api_token, new_person
from tests.board.builders import access_of, new_board, new_card, new_column, new_member
from tests.brigade.builders import new_booking, new_slot
from tests.names import unique
from toolbox.accounts.models import User
from toolbox.board.cards import archive_card
from toolbox.board.labels import create_label
from toolbox.board.members import create_invitation, set_membership
from toolbox.board.models import Board, Role
from toolbox.board.schemas import LabelIn, SuggestionIn
from toolbox.board.services import archive_column
from toolbox.board.suggestions import suggest
from toolbox.db import Database

#: The roles of the matrix, each as seen from the `public` and `members` boards.
ROLES = ("visitor", "participant", "expert", "facilitator", "other_facilitator", "admin")


@dataclass
class Kit:
    """One board's things, made for one case or shared by the read-only ones."""

    board: Board
    column_id: int
    archived_column_id: int
    card_id: int
    card_version: int
    archived_card_id: int
    label_id: int
    slot_id: int  # claimed by the expert, booked by the participant and another participant
    free_slot_id: int  # claimed by the expert, a seat free
    open_slot_id: int  # claimed by nobody
    booking_id: int  # the participant's
    other_booking_id: int  # another participant's
    suggestion_id: int  # the participant's, pending
    member_id: int  # a participant whose role a facilitator may change
    invitation: str  # a fresh invitation link's token


@dataclass(frozen=True)
class Staff:
    """Who works on one board: its facilitator, its expert, two of its participants."""

    facilitator: User
    expert: User
    participant: User
    other_participant: User


@dataclass
class World:
    people: dict[str, User]
    tokens: dict[str, str]  # role → API token ("visitor" has none)
    boards: dict[str, Board] = field(default_factory=dict)  # public, members, other
    staff: dict[str, Staff] = field(default_factory=dict)  # per board
    kits: dict[str, Kit] = field(default_factory=dict)  # shared, per board
    scratch: Board | None = None  # see `scratch_invitation`

    def headers(self, role: str) -> dict[str, str]:
        token = self.tokens.get(role)
        return {"Authorization": f"Bearer {token}"} if token else {}


_HOURS = itertools.count(0, 3)


def _later(hours: int) -> timedelta:
    return timedelta(days=2, hours=hours)


async def make_kit(db: Database, world: World, name: str) -> Kit:
    """A full set of things on the board `name` (public, members, other), made by its staff."""
    async with db.write() as session:
        return await _kit(session, world.boards[name], world.staff[name])


async def _kit(session: AsyncSession, board: Board, staff: Staff) -> Kit:
    facilitator = staff.facilitator
    access = await access_of(session, board, facilitator)
    column = await new_column(session, board, facilitator)
    card = await new_card(session, board, column, facilitator)
    archived = await new_card(session, board, column, facilitator)
    await archive_card(session, access, archived.id)
    archived_column = await new_column(session, board, facilitator)
    await archive_column(session, access, archived_column.id)
    label = await create_label(session, access, LabelIn(name=unique("Étiquette")))
    expert, participant, other = staff.expert, staff.participant, staff.other_participant
    # An expert holds one session at a time: each kit's sessions have hours of their own.
    hour = next(_HOURS)
    slot = await new_slot(
        session, board, facilitator, expert=expert, capacity=2, starts_in=_later(hour)
    )
    free = await new_slot(
        session, board, facilitator, expert=expert, place="Table 2", starts_in=_later(hour + 1)
    )
    open_slot = await new_slot(
        session, board, facilitator, place="Table 3", starts_in=_later(hour + 2)
    )
    booking = await new_booking(session, board, slot, participant)
    other_booking = await new_booking(session, board, slot, other)
    # A participant of its own, whose suggestion waits and whose role may change (one person
    # may have only so many suggestions waiting).
    member = await new_member(session, board, Role.participant)
    suggestion = await suggest(
        session, await access_of(session, board, member), SuggestionIn(title=unique("Idée"))
    )
    invitation = await create_invitation(session, access, Role.participant)
    await session.flush()
    return Kit(
        board=board,
        column_id=column.id,
        archived_column_id=archived_column.id,
        card_id=card.id,
        card_version=card.version,
        archived_card_id=archived.id,
        label_id=label.id,
        slot_id=slot.id,
        free_slot_id=free.id,
        open_slot_id=open_slot.id,
        booking_id=booking.id,
        other_booking_id=other_booking.id,
        suggestion_id=suggestion.id,
        member_id=member.id,
        invitation=invitation,
    )


async def build_world(db: Database) -> World:
    async with db.write() as session:
        people = {
            role: await new_person(session, admin=role == "admin", password=PASSWORD)
            for role in ROLES
            if role != "visitor"
        }
        tokens = {role: await new_api_token(session, person) for role, person in people.items()}
        world = World(people=people, tokens=tokens)
        ours = Staff(
            people["facilitator"],
            people["expert"],
            people["participant"],
            await new_person(session, password=PASSWORD),
        )
        theirs = Staff(
            people["other_facilitator"],
            await new_person(session),
            await new_person(session),
            await new_person(session),
        )
        for name, public, staff in (
            ("public", True, ours),
            ("members", False, ours),
            ("other", False, theirs),
        ):
            board = await new_board(session, public=public, facilitator=staff.facilitator)
            for person, role in (
                (staff.expert, Role.expert),
                (staff.participant, Role.participant),
                (staff.other_participant, Role.participant),
            ):
                await set_membership(session, board, person, role)
            world.boards[name], world.staff[name] = board, staff
        # Invitations that the matrix accepts are to this board, so that accepting one changes
        # nobody's role on the boards under test.
        world.scratch = await new_board(session, facilitator=people["facilitator"])
    for name in ("public", "members", "other"):
        world.kits[name] = await make_kit(db, world, name)
    return world


async def scratch_invitation(db: Database, world: World) -> str:
    """A fresh invitation to be a participant of the scratch board."""
    async with db.write() as session:
        assert world.scratch is not None
        access = await access_of(session, world.scratch, world.people["facilitator"])
        return await create_invitation(session, access, Role.participant)
