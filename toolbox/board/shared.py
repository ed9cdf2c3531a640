"""What a kept rendering of a board (toolbox.renderings) needs to know of each read: the board's
latest `seq` and the caller's right, in one indexed row, without the ORM.

Checked as `board_access` checks, so a kept page is only ever served to someone who may read
the board; and read on every request, so a change made anywhere (another process, the command
line, a restore) is seen by the very next read.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from toolbox.board.access import BoardAccess, audience_of, board_access, require_view
from toolbox.board.models import Board, Membership, Role, Visibility
from toolbox.db import Database
from toolbox.errors import NotFound
from toolbox.i18n import current_locale
from toolbox.i18n import gettext as _
from toolbox.principal import Actor
from toolbox.renderings import Document, Renderings, SharedPage

T = TypeVar("T", SharedPage, Document)


@dataclass(frozen=True, slots=True)
class BoardSeen:
    """The board at an address as last committed, and the role of who is asking there."""

    board_id: int
    seq: int
    visibility: Visibility
    role: Role | None


# Built once (building a statement costs more than running it); columns named as the fields.
_BOARD_SEEN = (
    select(
        Board.id.label("board_id"),
        Board.seq,
        Board.visibility,
        Membership.role,
    )
    .outerjoin(
        Membership,
        (Membership.board_id == Board.id) & (Membership.user_id == bindparam("user_id")),
    )
    .where(Board.slug == bindparam("slug"))
)


async def board_seen(db: Database, slug: str, user: Actor | None) -> tuple[BoardSeen, str]:
    """The board at `slug` and the audience `user` belongs to there, checked for reading."""
    seen = await db.first_as(
        BoardSeen, _BOARD_SEEN, {"slug": slug, "user_id": user.id if user else None}
    )
    if seen is None:
        raise NotFound(_("There is no board at this address."))
    require_view(seen.visibility, user, seen.role)
    return seen, audience_of(user, seen.role)


async def kept_rendering(
    db: Database,
    kept: Renderings,
    slug: str,
    user: Actor | None,
    what: Hashable,
    render: Callable[[AsyncSession, BoardAccess], Awaitable[T]],
) -> T:
    """The rendering `what` of the board at `slug` for `user`'s audience and language, as of the
    board's latest seq: kept from an earlier read, or made now by `render` (and kept)."""
    seen, audience = await board_seen(db, slug, user)
    locale = current_locale()
    found: T | None = kept.get((seen.board_id, seen.seq, audience, locale, what))
    if found is None:
        async with db.read() as session:
            access = await board_access(session, slug, user)
            found = await render(session, access)
        # Under the seq the rendering read (a change may have come in between).
        kept.put((seen.board_id, access.board.seq, audience, locale, what), found)
    return found
