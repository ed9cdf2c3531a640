"""Boards and their columns: reading them in order, and every change to them.

Each changing function takes the caller's `BoardAccess`, checks it, writes, and records its event
in the same transaction (the caller opened it with `Database.write()`).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import ColumnElement, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from toolbox.board.access import BoardAccess
from toolbox.board.documents import board_summary, column_document
from toolbox.board.models import (
    Board,
    BoardColumn,
    Card,
    Membership,
    Registration,
    Role,
    Visibility,
)
from toolbox.board.ordering import place_among
from toolbox.board.schemas import BoardIn, ColumnIn, ColumnPatch
from toolbox.db import utcnow
from toolbox.errors import Conflict, Forbidden, Invalid, NotFound
from toolbox.events.log import lock_board, record_event
from toolbox.events.types import (
    BoardUpdated,
    ColumnArchived,
    ColumnCreated,
    ColumnMoved,
    ColumnRestored,
    ColumnUpdated,
)
from toolbox.i18n import gettext as _
from toolbox.principal import Actor


async def visible_boards(session: AsyncSession, user: Actor | None) -> list[Board]:
    query = select(Board).order_by(Board.title, Board.id)
    if user is None:
        query = query.where(Board.visibility == Visibility.public)
    elif not user.is_admin:
        member_of = select(Membership.board_id).where(Membership.user_id == user.id)
        query = query.where((Board.visibility == Visibility.public) | Board.id.in_(member_of))
    return list(await session.scalars(query))


async def create_board(
    session: AsyncSession,
    user: Actor | None,
    data: BoardIn,
    *,
    default_timezone: str,
    facilitator: Actor | None = None,
    registration: Registration = Registration.invitation,
) -> Board:
    """Admins create boards (the command line passes no user: it speaks for the admin)."""
    if user is not None and not user.is_admin:
        raise Forbidden(_("Only an administrator can create a board."))
    timezone = data.timezone or default_timezone
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(_("This is not a known time zone."), field="timezone") from None
    if await session.scalar(select(Board.id).where(Board.slug == data.slug)) is not None:
        raise Conflict(_("A board already has this short name."), code="slug_taken", field="slug")
    board = Board(
        slug=data.slug,
        title=data.title,
        description=data.description,
        visibility=data.visibility,
        registration=registration,
        timezone=timezone,
        seq=0,
    )
    session.add(board)
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict(
            _("A board already has this short name."), code="slug_taken", field="slug"
        ) from None
    if facilitator is not None:
        session.add(Membership(board_id=board.id, user_id=facilitator.id, role=Role.facilitator))
    await record_event(
        session,
        board.id,
        BoardUpdated(board=board_summary(board)),
        actor_id=user.id if user else None,
    )
    return board


async def board_columns(
    session: AsyncSession, board: Board, *, archived: bool = False
) -> list[BoardColumn]:
    query = select(BoardColumn).where(BoardColumn.board_id == board.id)
    if not archived:
        query = query.where(BoardColumn.archived_at.is_(None))
    return list(await session.scalars(query.order_by(BoardColumn.position, BoardColumn.id)))


async def cards_by_column(
    session: AsyncSession, board: Board, *, archived: bool = False
) -> dict[int, list[Card]]:
    """Every card of the board, grouped by column, each group in board order."""
    query = select(Card).where(Card.board_id == board.id)
    if not archived:
        query = query.where(Card.archived_at.is_(None))
    grouped: dict[int, list[Card]] = defaultdict(list)
    for card in await session.scalars(query.order_by(Card.position, Card.id)):
        grouped[card.column_id].append(card)
    return grouped


async def column_for(access: BoardAccess, session: AsyncSession, column_id: int) -> BoardColumn:
    """The column as the database has it now (read again under the board's lock, see
    `lock_board`)."""
    column = await session.get(BoardColumn, column_id, populate_existing=True)
    if column is None or column.board_id != access.board.id:
        raise NotFound(_("There is no such column on this board."))
    return column


async def create_column(session: AsyncSession, access: BoardAccess, data: ColumnIn) -> BoardColumn:
    access.require_facilitator()
    await lock_board(session, access.board.id)
    placement = await place_among(session, BoardColumn, _open_columns_of(access.board), data.index)
    column = BoardColumn(
        board_id=access.board.id,
        title=data.title,
        description=data.description,
        colour=data.colour,
        position=placement.position,
    )
    session.add(column)
    await session.flush()
    await access.record(
        session,
        ColumnCreated(
            column=column_document(column, []), index=placement.index, by=access.actor_name
        ),
    )
    return column


async def update_column(
    session: AsyncSession, access: BoardAccess, column_id: int, patch: ColumnPatch
) -> BoardColumn:
    access.require_facilitator()
    await lock_board(session, access.board.id)  # the board first, as every change takes it
    column = await column_for(access, session, column_id)
    for field in patch.model_fields_set:
        value = getattr(patch, field)
        if value is None and field in {"title", "description"}:
            continue
        setattr(column, field, value)
    column.updated_at = utcnow()
    await session.flush()
    await access.record(
        session, ColumnUpdated(column=column_document(column), by=access.actor_name)
    )
    return column


async def move_column(
    session: AsyncSession, access: BoardAccess, column_id: int, index: int
) -> BoardColumn:
    access.require_facilitator()
    await lock_board(session, access.board.id)
    column = await column_for(access, session, column_id)
    placement = await place_among(
        session, BoardColumn, _open_columns_of(access.board), index, exclude=column.id
    )
    column.position = placement.position
    column.updated_at = utcnow()
    await session.flush()
    await access.record(
        session,
        ColumnMoved(
            column_id=column.id, title=column.title, index=placement.index, by=access.actor_name
        ),
    )
    return column


async def archive_column(session: AsyncSession, access: BoardAccess, column_id: int) -> BoardColumn:
    access.require_facilitator()
    await lock_board(session, access.board.id)  # the board first, as every change takes it
    column = await column_for(access, session, column_id)
    if column.archived_at is None:
        column.archived_at = utcnow()
        await access.record(
            session, ColumnArchived(column_id=column.id, title=column.title, by=access.actor_name)
        )
    return column


async def restore_column(session: AsyncSession, access: BoardAccess, column_id: int) -> BoardColumn:
    access.require_facilitator()
    await lock_board(session, access.board.id)
    column = await column_for(access, session, column_id)
    if column.archived_at is not None:
        placement = await place_among(session, BoardColumn, _open_columns_of(access.board), None)
        column.archived_at = None
        column.position = placement.position
        await session.flush()
        await access.record(
            session,
            ColumnRestored(
                column=column_document(column), index=placement.index, by=access.actor_name
            ),
        )
    return column


def _open_columns_of(board: Board) -> list[ColumnElement[Any]]:
    return [BoardColumn.board_id == board.id, BoardColumn.archived_at.is_(None)]


async def archived_contents(
    session: AsyncSession, board: Board
) -> tuple[list[BoardColumn], list[Card]]:
    """The board's archived columns and cards, the most recently archived first."""
    columns = await session.scalars(
        select(BoardColumn)
        .where(BoardColumn.board_id == board.id, BoardColumn.archived_at.is_not(None))
        .order_by(BoardColumn.archived_at.desc())
    )
    cards = await session.scalars(
        select(Card)
        .where(Card.board_id == board.id, Card.archived_at.is_not(None))
        .order_by(Card.archived_at.desc())
    )
    return list(columns), list(cards)
