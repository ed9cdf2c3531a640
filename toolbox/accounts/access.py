"""Who may do what on a board. Every service asks here before it reads or writes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from toolbox.accounts.models import Membership, Role, User
from toolbox.board.models import Board, Visibility
from toolbox.errors import Forbidden, NotFound, NotSignedIn
from toolbox.i18n import gettext as _


@dataclass(frozen=True)
class BoardAccess:
    """A person (or a visitor, `user` None) in front of one board, with their role there."""

    board: Board
    user: User | None
    role: Role | None

    @property
    def is_admin(self) -> bool:
        return bool(self.user and self.user.is_admin)

    @property
    def can_view(self) -> bool:
        return self.board.visibility == Visibility.public or self.role is not None or self.is_admin

    @property
    def is_facilitator(self) -> bool:
        # The admin runs the server and may stand in for a board's facilitators.
        return self.role == Role.facilitator or self.is_admin

    @property
    def is_expert(self) -> bool:
        return self.role == Role.expert

    @property
    def audience(self) -> str:
        """The role whose view of the board this person gets (used for live fan-out)."""
        if self.is_facilitator:
            return Role.facilitator.value
        if self.role is not None:
            return self.role.value
        return "visitor" if self.user is None else "reader"

    @property
    def actor_id(self) -> int | None:
        return self.user.id if self.user else None

    @property
    def user_id(self) -> int | None:
        return self.actor_id

    @property
    def actor_name(self) -> str:
        return self.user.display_name if self.user else ""

    def require_view(self) -> None:
        if self.can_view:
            return
        if self.user is None:
            raise NotSignedIn(_("Sign in to see this board."))
        raise Forbidden(_("This board is for its members only."))

    def require_facilitator(self) -> None:
        self.require_view()
        if not self.is_facilitator:
            if self.user is None:
                raise NotSignedIn(_("Sign in as a facilitator to change this board."))
            raise Forbidden(_("Only the board's facilitators can do this."))


async def get_board(session: AsyncSession, slug: str) -> Board:
    board = await session.scalar(select(Board).where(Board.slug == slug))
    if board is None:
        raise NotFound(_("There is no board at this address."))
    return board


async def access_to(session: AsyncSession, board: Board, user: User | None) -> BoardAccess:
    role = None
    if user is not None:
        role = await session.scalar(
            select(Membership.role).where(
                Membership.board_id == board.id, Membership.user_id == user.id
            )
        )
    return BoardAccess(board=board, user=user, role=role)


async def board_access(session: AsyncSession, slug: str, user: User | None) -> BoardAccess:
    """The access of `user` to the board `slug`, checked for reading."""
    access = await access_to(session, await get_board(session, slug), user)
    access.require_view()
    return access


async def board_access_by_id(
    session: AsyncSession, board_id: int, user: User | None
) -> BoardAccess:
    """The access of `user` to the board that holds a column, card, slot or booking."""
    board = await session.get(Board, board_id)
    if board is None:
        raise NotFound(_("There is no board at this address."))
    access = await access_to(session, board, user)
    access.require_view()
    return access
