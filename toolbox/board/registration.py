"""Joining a board that takes registrations (`Board.registration` open): a new account, unconfirmed
until its owner opens the link mailed to it, with a participant's membership.

Nothing in the answer tells whether the address already had an account: the form is checked
and the password hashed before anyone looks, and a mail goes to the address either way (the
link to confirm it, or a word saying to sign in or reset the password)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from toolbox.accounts import mails
from toolbox.accounts import services as accounts
from toolbox.board.access import BoardAccess, access_to, get_board
from toolbox.board.documents import board_summary
from toolbox.board.members import set_membership
from toolbox.board.models import Board, Registration, Role
from toolbox.errors import Conflict, Forbidden
from toolbox.events.log import lock_board
from toolbox.events.types import BoardUpdated
from toolbox.i18n import gettext as _
from toolbox.principal import Actor
from toolbox.urls import url_path


async def open_board(session: AsyncSession, slug: str, user: Actor | None) -> BoardAccess:
    """The board `slug` and the person's role there, if it takes registrations (even a
    members-only one: whoever comes to register could not be a member yet). Otherwise a
    sentence saying to ask for an invitation, or, for a board they may not see, a 404."""
    board = await get_board(session, slug)
    access = await access_to(session, board, user)
    if board.registration != Registration.open:
        access.require_view()
        raise Forbidden(
            _("This board does not take registrations: ask its facilitators for an invitation."),
            code="registration_closed",
        )
    return access


async def register(
    session: AsyncSession,
    slug: str,
    *,
    email: str,
    name: str,
    password_hash: str,
    locale: str,
    base_url: str,
    may_mail: bool = True,
) -> Board:
    """Register on the board `slug` (see the module's docstring), with a password already
    checked and hashed (`toolbox.accounts.services.hashed_password`), the same work whether
    the address has an account or not. Without `may_mail` (the hour's mails to the address
    spent: `toolbox.accounts.throttle`) an address that has an account is told nothing, so
    that the form cannot fill its mailbox; a new account is mailed its link all the same."""
    board = (await open_board(session, slug, None)).board
    email = accounts.check_new_account(email, name=name, password=None)
    next_path = url_path("board", slug=board.slug)
    existing = await accounts.user_by_email(session, email)
    if existing is None:
        try:
            async with session.begin_nested():
                person = await accounts.create_user(
                    session,
                    email,
                    name=name,
                    password_hash=password_hash,
                    locale=locale,
                    confirmed=False,
                )
        except Conflict:  # registered a moment ago, by a double click or another tab
            existing = await accounts.user_by_email(session, email)
            assert existing is not None
        else:
            await set_membership(session, board, person, Role.participant, actor_id=person.id)
            await accounts.mail_confirmation_link(
                session, person, base_url=base_url, default_locale=locale, next_path=next_path
            )
            return board
    if may_mail:
        await mails.queue_already_registered(
            session, existing, base_url=base_url, default_locale=locale, board_title=board.title
        )
    return board


async def join(session: AsyncSession, slug: str, user: Actor) -> Board:
    """A signed-in person joins a board that takes registrations, as a participant; one who is
    a member already keeps their role."""
    access = await open_board(session, slug, user)
    if access.role is None:
        await set_membership(session, access.board, user, Role.participant, actor_id=user.id)
    return access.board


async def set_registration(session: AsyncSession, access: BoardAccess, open_: bool) -> None:
    """A facilitator opens the board to registrations, or closes it (invitations only)."""
    access.require_facilitator()
    await lock_board(session, access.board.id)
    access.board.registration = Registration.open if open_ else Registration.invitation
    # Recorded, so that the board's seq moves and the pages kept for its visitors (which
    # offer to register, or not) are made again.
    await access.record(session, BoardUpdated(board=board_summary(access.board)))
