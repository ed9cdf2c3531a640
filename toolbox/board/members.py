"""Who belongs to a board and with which role: memberships, role changes, invitations."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from toolbox.accounts.models import User
from toolbox.board.access import BoardAccess
from toolbox.board.models import Board, Invitation, Membership, Role
from toolbox.db import utcnow
from toolbox.errors import Forbidden, NotFound
from toolbox.events.log import lock_board, record_event
from toolbox.events.types import MemberUpdated
from toolbox.i18n import gettext as _
from toolbox.principal import Actor
from toolbox.security import hash_token, new_token

INVITATION_LIFETIME = timedelta(days=14)


#: Roles from the least to the most a member may do.
RANKS = (Role.participant, Role.expert, Role.facilitator)


async def set_membership(
    session: AsyncSession, board: Board, user: Actor, role: Role, *, actor_id: int | None = None
) -> Membership:
    """Make `user` a member of `board` with `role` (or change the role they have)."""
    await lock_board(session, board.id)  # the board first, as every change takes it
    membership = await session.scalar(
        select(Membership).where(Membership.board_id == board.id, Membership.user_id == user.id)
    )
    if membership is None:
        membership = Membership(board_id=board.id, user_id=user.id, role=role)
        session.add(membership)
    else:
        membership.role = role
    await session.flush()
    await record_event(
        session,
        board.id,
        MemberUpdated(user_id=user.id, name=user.display_name, role=role.value),
        actor_id=actor_id,
    )
    return membership


async def board_members(session: AsyncSession, board: Board) -> list[tuple[User, Role]]:
    rows = await session.execute(
        select(User, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.board_id == board.id)
        .order_by(User.name, User.email)
    )
    return [(user, role) for user, role in rows.all()]


async def change_role(
    session: AsyncSession, access: BoardAccess, user_id: int, role: Role
) -> Membership:
    access.require_facilitator()
    user = await session.get(User, user_id)
    member = await session.scalar(
        select(Membership).where(
            Membership.board_id == access.board.id, Membership.user_id == user_id
        )
    )
    if user is None or member is None:
        raise NotFound(_("This person is not a member of the board."))
    if user_id == access.actor_id and role != Role.facilitator and not access.is_admin:
        # Otherwise the last facilitator could lock everyone out of the board's management.
        raise Forbidden(_("You cannot take away your own facilitator role."))
    return await set_membership(session, access.board, user, role, actor_id=access.actor_id)


async def create_invitation(session: AsyncSession, access: BoardAccess, role: Role) -> str:
    """A single-use invitation link's token, valid two weeks."""
    access.require_facilitator()
    token = new_token()
    session.add(
        Invitation(
            token_hash=hash_token(token),
            board_id=access.board.id,
            role=role,
            created_by_id=access.actor_id,
            expires_at=utcnow() + INVITATION_LIFETIME,
        )
    )
    await session.flush()
    return token


async def open_invitation(session: AsyncSession, token: str) -> tuple[Invitation, Board]:
    invitation = await session.scalar(
        select(Invitation).where(Invitation.token_hash == hash_token(token))
    )
    if invitation is None or invitation.used_at is not None or invitation.expires_at < utcnow():
        raise NotFound(_("This invitation is not valid any more. Ask for a new one."))
    board = await session.get(Board, invitation.board_id)
    assert board is not None
    return invitation, board


async def accept_invitation(session: AsyncSession, token: str, user: Actor) -> Board:
    invitation, board = await open_invitation(session, token)
    # Mark it used with a guarded update, so two tabs accepting at once use it only once.
    used = await session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.used_at.is_(None))
        .values(used_at=utcnow(), used_by_id=user.id)
        .execution_options(synchronize_session=False)
    )
    if used.rowcount != 1:  # type: ignore[attr-defined]
        raise NotFound(_("This invitation is not valid any more. Ask for a new one."))
    # An invitation only ever raises a role: a facilitator who opens a participant's link (sent
    # to them by mistake, or by someone who wants them out) stays a facilitator, or the last
    # facilitator could lock everyone out, which `change_role` refuses.
    current = await session.scalar(
        select(Membership.role).where(
            Membership.board_id == board.id, Membership.user_id == user.id
        )
    )
    if current is None or RANKS.index(invitation.role) > RANKS.index(current):
        await set_membership(session, board, user, invitation.role, actor_id=user.id)
    return board
