"""Which board an import goes into: the one named, the one made from the same source board
before, or a new one; then the plan is written there (`writer.apply_plan`)."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from toolbox.accounts.models import User
from toolbox.board.access import access_to
from toolbox.board.models import TITLE_MAX, Board, Membership, Registration, Role, Visibility
from toolbox.board.schemas import BoardIn
from toolbox.errors import Conflict, Forbidden
from toolbox.i18n import gettext as _
from toolbox.transfer.models import BoardOrigin
from toolbox.transfer.plan import ImportPlan, Progress, no_progress
from toolbox.transfer.report import ImportReport
from toolbox.transfer.writer import apply_plan
from toolbox.validation import parse_form


def slug_for(title: str, fallback: str) -> str:
    folded = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:50].strip("-")
    return slug or fallback


async def board_for_import(
    session: AsyncSession,
    plan: ImportPlan,
    *,
    into: Board | None = None,
    slug: str | None = None,
    user: User | None = None,
    facilitator: User | None = None,
    timezone: str,
) -> tuple[Board, bool]:
    """The board an import writes into, and whether it was made for it.

    `into` is a board chosen by name. Otherwise it is the board made before from the same source
    board (unless a new `slug` is asked for), or else a new board. `user` is the person importing
    from the web (None: the command line, which speaks for the admin): they may update only a
    board they facilitate. `facilitator` becomes the board's facilitator.
    """
    board: Board | None = into
    if into is not None and user is not None:
        (await access_to(session, into, user)).require_facilitator()
    if board is None and slug is None and plan.external_id:
        origin = await session.scalar(
            select(BoardOrigin).where(
                BoardOrigin.source == plan.source, BoardOrigin.external_id == plan.external_id
            )
        )
        if origin is not None:
            board = await session.get(Board, origin.board_id)
            assert board is not None
            if user is not None and not (await access_to(session, board, user)).is_facilitator:
                raise Forbidden(
                    _(
                        "This board was imported before as “%(title)s”, which you do not "
                        "facilitate. Ask its facilitators, or import it into this board.",
                        title=board.title,
                    )
                )
    created = board is None
    if board is None:
        board = await _new_board(session, plan, slug, timezone)
    if plan.external_id and await session.get(BoardOrigin, board.id) is None:
        taken = await session.scalar(
            select(BoardOrigin.board_id).where(
                BoardOrigin.source == plan.source, BoardOrigin.external_id == plan.external_id
            )
        )
        if taken is None:
            session.add(
                BoardOrigin(board_id=board.id, source=plan.source, external_id=plan.external_id)
            )
    if facilitator is not None:
        membership = await session.scalar(
            select(Membership).where(
                Membership.board_id == board.id, Membership.user_id == facilitator.id
            )
        )
        if membership is None:
            session.add(
                Membership(board_id=board.id, user_id=facilitator.id, role=Role.facilitator)
            )
        else:
            membership.role = Role.facilitator
    await session.flush()
    return board, created


async def _new_board(
    session: AsyncSession, plan: ImportPlan, slug: str | None, timezone: str
) -> Board:
    if slug is not None:
        parse_form(BoardIn, {"slug": slug, "title": plan.title[:TITLE_MAX].strip() or "-"})
        if await session.scalar(select(Board.id).where(Board.slug == slug)) is not None:
            raise Conflict(_("A board already has this short name."), code="slug_taken")
    else:
        base = slug_for(plan.title, plan.source)
        taken = set(await session.scalars(select(Board.slug).where(Board.slug.startswith(base))))
        slug = next(
            candidate
            for n in range(1, len(taken) + 2)
            if (candidate := base if n == 1 else f"{base}-{n}") not in taken
        )
    board = Board(
        slug=slug,
        title=plan.title[:TITLE_MAX].strip() or _("Imported board"),
        description=plan.description,
        timezone=timezone,
        visibility=Visibility.public if plan.public else Visibility.members,
        registration=Registration.invitation,
        seq=0,
    )
    session.add(board)
    await session.flush()
    return board


async def import_plan(
    session: AsyncSession,
    plan: ImportPlan,
    *,
    into: Board | None = None,
    slug: str | None = None,
    user: User | None = None,
    facilitator: User | None = None,
    timezone: str,
    progress: Progress = no_progress,
) -> ImportReport:
    """Import `plan` into the board `board_for_import` picks (see there for the arguments)."""
    board, created = await board_for_import(
        session, plan, into=into, slug=slug, user=user, facilitator=facilitator, timezone=timezone
    )
    return await apply_plan(
        session,
        plan,
        board,
        actor_id=user.id if user else None,
        created_board=created,
        progress=progress,
    )
