"""What a kept rendering of a board (toolbox.renderings) needs to know of each read: the board's
latest `seq` and the caller's right.

Read from the database in one indexed row, without the ORM, then believed for as long as the
board's seq has not moved on (`toolbox.board_clock`, fed by the bus): a change anywhere, a
role changed, the board made members-only, all move the seq on, so the next read asks again.
Checked as `board_access` checks, so a kept page is only ever served to someone who may read
the board.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from toolbox.board.access import BoardAccess, audience_of, require_view, viewing_access
from toolbox.board.models import Board, Membership, Registration, Role, Visibility
from toolbox.db import Database
from toolbox.errors import NotFound
from toolbox.i18n import current_locale
from toolbox.i18n import gettext as _
from toolbox.principal import Actor
from toolbox.renderings import KEPT_AT, Document, Renderings, SharedPage
from toolbox.web import current_user, database, renderings

T = TypeVar("T", SharedPage, Document)


@dataclass(frozen=True, slots=True)
class BoardSeen:
    """The board at an address as last committed, and the role of who is asking there."""

    board_id: int
    seq: int
    visibility: Visibility
    role: Role | None
    #: With the id, which board this is: SQLite may give a new board the id of one deleted,
    #: whose renderings at the same seq must not be taken for the new one's.
    created_at: datetime
    # The rest of the board's row: a rendering made at this seq needs no other read of it.
    slug: str
    title: str
    description: str
    timezone: str
    registration: Registration
    cancel_hours: int

    def board(self) -> Board:
        """The board as read (not attached to any session: for reading)."""
        return Board(
            id=self.board_id,
            slug=self.slug,
            title=self.title,
            description=self.description,
            timezone=self.timezone,
            visibility=self.visibility,
            registration=self.registration,
            cancel_hours=self.cancel_hours,
            seq=self.seq,
            created_at=self.created_at,
        )


# Built once (building a statement costs more than running it); columns named as the fields.
_BOARD_SEEN = (
    select(
        Board.id.label("board_id"),
        Board.seq,
        Board.visibility,
        Membership.role,
        Board.created_at,
        Board.slug,
        Board.title,
        Board.description,
        Board.timezone,
        Board.registration,
        Board.cancel_hours,
    )
    .outerjoin(
        Membership,
        (Membership.board_id == Board.id) & (Membership.user_id == bindparam("user_id")),
    )
    .where(Board.slug == bindparam("slug"))
)


async def board_seen(
    db: Database, kept: Renderings, slug: str, user: Actor | None
) -> tuple[BoardSeen, str]:
    """The board at `slug` and the audience `user` belongs to there, checked for reading: as
    last read, while the board's seq has not moved on since, else read now."""
    user_id = user.id if user else None
    seen: BoardSeen | None = kept.get(("seen", slug, user_id))
    if seen is None or not kept.clock.is_current(seen.board_id, seen.seq):
        seen = await db.first_as(BoardSeen, _BOARD_SEEN, {"slug": slug, "user_id": user_id})
        if seen is None:
            raise NotFound(_("There is no board at this address."))
        kept.clock.note(seen.board_id, seen.seq)
        kept.put(("seen", slug, user_id), seen)
    require_view(seen.visibility, user, seen.role)
    return seen, audience_of(user, seen.role)


async def kept_rendering(
    request: HTTPConnection,
    what: Hashable,
    render: Callable[[AsyncSession, BoardAccess], Awaitable[T]],
) -> T:
    """The rendering `what` of the board at the request's `slug`, for the asker's audience and
    language, as of the board's latest seq: kept from an earlier read, or made now by `render`
    (and kept). The scope is told which board and seq it shows (`KEPT_AT`), so that a whole
    answer to someone not signed in can be kept as long as that seq is the latest
    (`toolbox.anonymous`)."""
    db, kept, user = database(request), renderings(request), current_user(request)
    slug = request.path_params["slug"]
    seen, audience = await board_seen(db, kept, slug, user)
    locale = current_locale()
    board = (seen.board_id, seen.created_at)
    found: T | None = kept.get((board, seen.seq, audience, locale, what))
    seq = seen.seq
    if found is None:
        # The board as `seen` read it (the rendering is kept under its seq; what the rendering
        # reads besides may be newer, never older).
        access = viewing_access(seen.board(), user, seen.role)
        async with db.read() as session:
            found = await render(session, access)
        kept.put((board, seq, audience, locale, what), found)
    request.scope[KEPT_AT] = (seen.board_id, seq)
    return found
