"""Who may do what on a board. Every service asks here before it reads or writes."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TypeVarTuple

from sqlalchemy import Boolean, ColumnElement, Select, bindparam, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from toolbox.board.models import Board, Membership, Role, Visibility
from toolbox.errors import Forbidden, NotFound, NotSignedIn
from toolbox.events.log import RecordedEvent, lock_board_taking_seq, record_event, seq_taken
from toolbox.events.types import Event
from toolbox.i18n import gettext as _
from toolbox.principal import Actor

Columns = TypeVarTuple("Columns")


@dataclass(frozen=True)
class BoardAccess:
    """A person (or a visitor, `user` None) in front of one board, with their role there."""

    board: Board
    user: Actor | None
    role: Role | None
    #: The seq of the one event the change is to record, taken with the board's lock when this
    #: access was read (`taking_seq=True`), for that one change: a second one recording with it
    #: would fail on the log's unique (board, seq). See `events.log.lock_board_taking_seq`.
    taken_seq: int | None = None

    @property
    def is_admin(self) -> bool:
        return bool(self.user and self.user.is_admin)

    @property
    def can_view(self) -> bool:
        return may_view(self.board.visibility, self.user, self.role)

    @property
    def is_facilitator(self) -> bool:
        # The admin runs the server and may stand in for a board's facilitators.
        return self.role == Role.facilitator or self.is_admin

    @property
    def is_expert(self) -> bool:
        return self.role == Role.expert

    @property
    def signed_in(self) -> bool:
        return self.user is not None

    @property
    def audience(self) -> str:
        """The role whose view of the board this person gets (live fan-out, kept pages)."""
        return audience_of(self.user, self.role)

    @property
    def actor_id(self) -> int | None:
        return self.user.id if self.user else None

    @property
    def user_id(self) -> int | None:
        return self.actor_id

    @property
    def actor_name(self) -> str:
        return self.user.display_name if self.user else ""

    async def record(
        self, session: AsyncSession, event: Event, *, seq: int | None = None
    ) -> RecordedEvent:
        """Record `event` on this board as done by whoever is acting here, in the transaction
        of the change (`toolbox.events.log.record_event`)."""
        return await record_event(session, self.board.id, event, actor_id=self.actor_id, seq=seq)

    def require_view(self) -> None:
        require_view(self.board.visibility, self.user, self.role)

    def require_participant(self) -> None:
        """Favourites, useful marks and suggestions: anyone signed in who may read the board
        (a member, or a signed-in reader of a public board); a visitor is asked to sign in."""
        self.require_view()
        if self.user is None:
            raise NotSignedIn(_("Sign in to do this."))

    def require_contributor(self) -> None:
        """Suggesting a resource: a participant as above, whose e-mail address is confirmed."""
        self.require_participant()
        assert self.user is not None
        require_confirmed(self.user)

    def require_facilitator(self) -> None:
        self.require_view()
        if not self.is_facilitator:
            if self.user is None:
                raise NotSignedIn(_("Sign in as a facilitator to change this board."))
            raise Forbidden(_("Only the board's facilitators can do this."))


def require_confirmed(user: Actor) -> None:
    """What a person adds for others to see or to act on (a booking, a suggestion) waits for
    their e-mail address to be confirmed: an address typed at registration is anyone's."""
    if not user.email_confirmed:
        raise Forbidden(
            _(
                "Confirm your e-mail address first: open the link we mailed you. "
                "You can have it sent again from your page."
            ),
            code="email_unconfirmed",
        )


def require_booker(role: Role | None, user: Actor | None) -> Actor:
    """Who may book a seat: a participant of the board, their address confirmed. For a read
    model that carries the role but not the board (`toolbox.brigade.bookings`) as for a
    `BoardAccess`."""
    if role != Role.participant or user is None:
        raise Forbidden(_("Only the board's participants can book a session."))
    require_confirmed(user)
    return user


def audience_of(user: Actor | None, role: Role | None) -> str:
    """Everyone of an audience sees the board alike: facilitators (and the admin), each other
    role, a signed-in reader who is no member, a visitor."""
    if role == Role.facilitator or (user and user.is_admin):
        return Role.facilitator.value
    if role is not None:
        return role.value
    return "visitor" if user is None else "reader"


def may_view(visibility: Visibility, user: Actor | None, role: Role | None) -> bool:
    return visibility == Visibility.public or role is not None or bool(user and user.is_admin)


def require_view(visibility: Visibility, user: Actor | None, role: Role | None) -> None:
    """The reading check, for a read model that carries the board's visibility but not the
    board (toolbox.brigade.slots.slot_as_committed) as for a `BoardAccess`."""
    if may_view(visibility, user, role):
        return
    if user is None:
        raise NotSignedIn(_("Sign in to see this board."))
    raise Forbidden(_("This board is for its members only."))


# Built once: every request to a board asks these, and building a statement costs more than
# running it (docs/performance.md, "Where a request's time goes").
_ROLE = select(Membership.role).where(
    Membership.board_id == bindparam("board_id"), Membership.user_id == bindparam("user_id")
)
_BOARD_AND_ROLE = select(Board, Membership.role).outerjoin(
    Membership,
    (Membership.board_id == Board.id) & (Membership.user_id == bindparam("user_id")),
)
_BOARD_BY_SLUG = _BOARD_AND_ROLE.where(Board.slug == bindparam("slug"))
_BOARD_BY_ID = _BOARD_AND_ROLE.where(Board.id == bindparam("board_id"))


def taking_seq(query: Select[*Columns], board_id: ColumnElement[int]) -> Select[*Columns, int]:
    """PostgreSQL: `query`, a read of a `Board`, that also takes the lock and the next seq of
    the board `board_id` gives (`toolbox.events.log.seq_taken`), as its last column: NULL when
    the caller may not change the board (parameters: `taking_seq_parameters`), who is then
    refused with nothing written and no lock held. The rule is `BoardAccess.is_facilitator`'s,
    which still decides: the lock taken here only saves the change a statement."""
    may_change = or_(
        bindparam("admin", type_=Boolean()),
        exists().where(
            Membership.board_id == board_id,
            Membership.user_id == bindparam("user_id"),
            Membership.role == Role.facilitator,
        ),
    )
    taken = seq_taken(board_id, may_change)
    return query.add_columns(taken.c.seq).outerjoin(taken, taken.c.id == Board.id)


def taking_seq_parameters(user: Actor | None) -> dict[str, object]:
    return {"user_id": user.id if user else None, "admin": bool(user and user.is_admin)}


_BOARD_BY_SLUG_TAKING_SEQ = taking_seq(
    _BOARD_BY_SLUG, select(Board.id).where(Board.slug == bindparam("slug")).scalar_subquery()
)


async def get_board(session: AsyncSession, slug: str) -> Board:
    board = (await _board_and_role(session, _BOARD_BY_SLUG, {"slug": slug}, None))[0]
    return board


async def access_to(session: AsyncSession, board: Board, user: Actor | None) -> BoardAccess:
    role = None
    if user is not None:
        role = await session.scalar(_ROLE, {"board_id": board.id, "user_id": user.id})
    return BoardAccess(board=board, user=user, role=role)


async def board_access(
    session: AsyncSession, slug: str, user: Actor | None, *, taking_seq: bool = False
) -> BoardAccess:
    """The access of `user` to the board `slug`, checked for reading.

    `taking_seq`, for a change that records exactly one event whenever it commits (a card's
    move): the board's lock and that event's seq are taken too (`BoardAccess.taken_seq`), on
    PostgreSQL by the same statement, one round trip fewer; not for a caller who may not change
    the board (the change refuses them, and nothing was written)."""
    if taking_seq and session.get_bind().dialect.name == "postgresql":
        parameters = {"slug": slug, **taking_seq_parameters(user)}
        row = (await session.execute(_BOARD_BY_SLUG_TAKING_SEQ, parameters)).first()
        if row is None:
            raise NotFound(_("There is no board at this address."))
        return viewing_access(row[0], user, row[1], taken_seq=row[2])
    board, role = await _board_and_role(session, _BOARD_BY_SLUG, {"slug": slug}, user)
    access = viewing_access(board, user, role)
    return await with_taken_seq(session, access) if taking_seq else access


async def with_taken_seq(session: AsyncSession, access: BoardAccess) -> BoardAccess:
    """`access` once the board's lock and its next seq are taken (`lock_board_taking_seq`),
    if the caller may change the board (as `taking_seq`): where the read of the access could
    not take them (SQLite)."""
    if not access.is_facilitator:
        return access
    return replace(access, taken_seq=await lock_board_taking_seq(session, access.board.id))


async def board_access_by_id(
    session: AsyncSession, board_id: int, user: Actor | None
) -> BoardAccess:
    """The access of `user` to the board that holds a column, card, slot or booking."""
    board, role = await _board_and_role(session, _BOARD_BY_ID, {"board_id": board_id}, user)
    return viewing_access(board, user, role)


def viewing_access(
    board: Board, user: Actor | None, role: Role | None, *, taken_seq: int | None = None
) -> BoardAccess:
    """The access of `user`, whose role on `board` is `role`, checked for reading."""
    access = BoardAccess(board=board, user=user, role=role, taken_seq=taken_seq)
    access.require_view()
    return access


async def _board_and_role(
    session: AsyncSession,
    query: Select[Board, Role],
    params: dict[str, object],
    user: Actor | None,
) -> tuple[Board, Role | None]:
    """A board and the role `user` has there, in one statement (a visitor matches no member)."""
    row = (await session.execute(query, {**params, "user_id": user.id if user else None})).first()
    if row is None:
        raise NotFound(_("There is no board at this address."))
    return row[0], row[1]
