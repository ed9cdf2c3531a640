"""Resource cards: create, edit (with a version check), move, archive, restore."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Table,
    Update,
    and_,
    bindparam,
    func,
    inspect,
    or_,
    select,
    type_coerce,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.types import NullType

from toolbox.board.access import (
    BoardAccess,
    board_access_by_id,
    taking_seq,
    taking_seq_parameters,
    viewing_access,
    with_taken_seq,
)
from toolbox.board.documents import card_document
from toolbox.board.models import Board, BoardColumn, Card, Label, Membership
from toolbox.board.ordering import order_check, place_among, place_in
from toolbox.board.records import CARD_COLUMNS, CardRecord, card_records, labelled, labels_json
from toolbox.board.schemas import LABEL_COLOURS, CardIn, CardPatch
from toolbox.board.services import column_for
from toolbox.db import all_rows, utcnow
from toolbox.errors import Conflict, Invalid, NotFound
from toolbox.events.log import lock_board, lock_board_taking_seq, record_event_with
from toolbox.events.types import CardArchived, CardCreated, CardMoved, CardRestored, CardUpdated
from toolbox.i18n import gettext as _
from toolbox.principal import Actor


async def card_access(
    session: AsyncSession, card_id: int, user: Actor | None
) -> tuple[Card, BoardAccess]:
    """A card and the caller's access to its board, checked for reading.

    An archived card is shown only to the board's facilitators; for anyone else it is gone.
    """
    card = await session.get(Card, card_id)
    if card is None:
        raise NotFound(_("There is no such resource."))
    access = await board_access_by_id(session, card.board_id, user)  # the board and role at once
    if card.archived_at is not None and not access.is_facilitator:
        raise NotFound(_("There is no such resource."))
    return card, access


async def card_board_access(
    session: AsyncSession, card_id: int, user: Actor | None, *, taking_seq: bool = False
) -> BoardAccess:
    """The caller's access to a card's board, checked as `card_access` does, in one statement
    and without loading the card: for a change, which reads the card under the board's lock.
    `taking_seq`: the board's lock and its next seq taken too, as `board_access` takes them."""
    on_postgresql = taking_seq and session.get_bind().dialect.name == "postgresql"
    row = (
        await session.execute(
            _BOARD_OF_CARD_TAKING_SEQ if on_postgresql else _BOARD_OF_CARD,
            {"card_id": card_id, **taking_seq_parameters(user)},
        )
    ).first()
    if row is None:
        raise NotFound(_("There is no such resource."))
    board, role, archived_at, *seq = row
    access = viewing_access(board, user, role, taken_seq=seq[0] if seq else None)
    if archived_at is not None and not access.is_facilitator:
        raise NotFound(_("There is no such resource."))
    if taking_seq and not on_postgresql:
        return await with_taken_seq(session, access)
    return access


_BOARD_OF_CARD = (
    select(Board, Membership.role, Card.archived_at)
    .join(Card, Card.board_id == Board.id)
    .outerjoin(
        Membership,
        (Membership.board_id == Board.id) & (Membership.user_id == bindparam("user_id")),
    )
    .where(Card.id == bindparam("card_id"))
)
_BOARD_OF_CARD_TAKING_SEQ = taking_seq(
    _BOARD_OF_CARD, select(Card.board_id).where(Card.id == bindparam("card_id")).scalar_subquery()
)


async def card_on_board(session: AsyncSession, access: BoardAccess, card_id: int) -> Card:
    """The card as the database has it now: called under the board's lock (see `lock_board`),
    its request may have loaded the card before another one changed it."""
    card = await session.get(Card, card_id, populate_existing=True)
    if card is None or card.board_id != access.board.id:
        raise NotFound(_("There is no such resource."))
    if card.archived_at is not None and not access.is_facilitator:
        raise NotFound(_("There is no such resource."))
    return card


async def card_place(session: AsyncSession, card: Card) -> int:
    """Where a card stands in its column, from 1: the number the "Move to…" form starts at, so
    that submitting it unchanged leaves the card where it is."""
    before = await session.scalar(
        select(func.count())
        .select_from(Card)
        .where(
            *_open_cards_of(card.column_id),
            or_(
                Card.position < card.position,
                and_(Card.position == card.position, Card.id < card.id),
            ),
        )
    )
    return int(before or 0) + 1


async def labels_named(session: AsyncSession, board: Board, names: list[str]) -> list[Label]:
    """The board's labels with these names, creating the ones it does not have yet.

    Names are one label whatever their case ("Données", "données"): the first spelling is kept.
    """
    wanted: dict[str, str] = {}
    for name in names:
        if name.strip():
            wanted.setdefault(name.strip().casefold(), name.strip())
    if not wanted:
        return []
    existing = {
        label.name.casefold(): label
        for label in await session.scalars(select(Label).where(Label.board_id == board.id))
    }
    count = len(existing)
    labels: list[Label] = []
    for key, name in wanted.items():
        label = existing.get(key)
        if label is None:
            label = Label(
                board_id=board.id, name=name, colour=LABEL_COLOURS[count % len(LABEL_COLOURS)]
            )
            count += 1
            session.add(label)
            existing[key] = label
        labels.append(label)
    await session.flush()
    return labels


async def create_card(session: AsyncSession, access: BoardAccess, data: CardIn) -> Card:
    access.require_facilitator()
    await lock_board(session, access.board.id)
    column = await _open_column(session, access, data.column_id)
    placement = await place_among(session, Card, _open_cards_of(column.id), data.index)
    card = Card(
        board_id=access.board.id,
        column_id=column.id,
        title=data.title,
        url=data.url,
        description=data.description,
        kind=data.kind,
        languages=data.languages,
        audiences=data.audiences,
        source=data.source,
        licence=data.licence,
        position=placement.position,
        version=1,
        created_by_id=access.actor_id,
        labels=await labels_named(session, access.board, data.labels),
    )
    session.add(card)
    await session.flush()
    await access.record(
        session, CardCreated(card=card_document(card), index=placement.index, by=access.actor_name)
    )
    return card


async def update_card(
    session: AsyncSession, access: BoardAccess, card_id: int, patch: CardPatch
) -> Card:
    """Apply an edit made from version `patch.version`; a newer version means someone else
    edited the card meanwhile, and their work is not overwritten (409 with the current card)."""
    access.require_facilitator()
    # The board first, as every change takes it: a move holds it, then writes the card; an edit
    # that wrote the card first, then the board's seq, deadlocked with it on PostgreSQL.
    await lock_board(session, access.board.id)
    card = await card_on_board(session, access, card_id)
    if patch.version != card.version:
        raise Conflict(
            _("Someone changed this resource while you were editing it."),
            code="stale_version",
            current=card_document(card),
        )
    for field in patch.model_fields_set - {"version", "labels"}:
        value = getattr(patch, field)
        if value is None and field not in {"url"}:
            continue
        setattr(card, field, value)
    if "labels" in patch.model_fields_set and patch.labels is not None:
        card.labels = await labels_named(session, access.board, patch.labels)
    card.version += 1
    card.updated_at = utcnow()
    await session.flush()
    await access.record(session, CardUpdated(card=card_document(card), by=access.actor_name))
    return card


async def move_card(
    session: AsyncSession, access: BoardAccess, card_id: int, column_id: int, index: int
) -> None:
    """Put a card at `index` (0-based, once moved) in a column; past the end means last.

    The most frequent change (a drag on the board), so it is made of the fewest statements:
    the card, the column and both columns' cards in one read, and plain UPDATEs rather than
    the session's unit of work, the card's written with its event (`record_event_with`).
    Everything is read under the board's lock, from the database: nothing the request loaded
    before is trusted (see `lock_board`). An access read `taking_seq` holds the lock already.
    """
    await _move(session, access, card_id, column_id, index, _MOVE)


async def move_card_and_read(
    session: AsyncSession, access: BoardAccess, card_id: int, column_id: int, index: int
) -> CardRecord:
    """`move_card`, and the card as moved, for an answer: on PostgreSQL given back by the
    move's own UPDATE (RETURNING), one round trip fewer; elsewhere read after it."""
    if session.get_bind().dialect.name == "postgresql":
        rows = await _move(session, access, card_id, column_id, index, _MOVE_RETURNING_CARD)
        return labelled(rows)[0]
    await _move(session, access, card_id, column_id, index, _MOVE)
    return (await card_records(session, [card_id]))[card_id]


async def _move(
    session: AsyncSession,
    access: BoardAccess,
    card_id: int,
    column_id: int,
    index: int,
    write: Update,
) -> Sequence[Sequence[Any]]:
    access.require_facilitator()
    # A move that goes through records one event, always: its seq is taken with the lock.
    seq = access.taken_seq
    if seq is None:
        seq = await lock_board_taking_seq(session, access.board.id)
    rows = await all_rows(session, _MOVING, {"card_id": card_id, "column_id": column_id})
    if not rows:
        raise NotFound(_("There is no such resource."))
    board_id, from_column_id, archived_at, title, target_board_id, target_archived, target_title = (
        rows[0][:_CARD_AND_TARGET_WIDTH]
    )
    if board_id != access.board.id:
        raise NotFound(_("There is no such resource."))
    if archived_at is not None:
        raise Conflict(_("Restore this resource before moving it."), code="archived")
    if target_board_id != access.board.id:
        raise NotFound(_("There is no such column on this board."))
    if target_archived is not None:
        raise Invalid(_("This column is archived."), field="column_id")
    open_cards = [row[_CARD_AND_TARGET_WIDTH:] for row in rows]
    placement = await place_in(
        session,
        Card,
        (
            (row_id, position)
            for row_id, position, row_column in open_cards
            if row_column == column_id
        ),
        index,
        exclude=card_id,
    )
    order = placement.order_with(card_id)
    if from_column_id == column_id:
        from_order = order
    else:
        from_order = tuple(
            row_id
            for row_id, _position, row_column in open_cards
            if row_column == from_column_id and row_id != card_id
        )
    moved = CardMoved(
        card_id=card_id,
        title=title,
        from_column_id=from_column_id,
        column_id=column_id,
        column_title=target_title,
        index=placement.index,
        by=access.actor_name,
        order=order_check(order),
        from_order=order_check(from_order),
    )
    now = utcnow()
    rows = await record_event_with(
        session,
        access.board.id,
        moved,
        actor_id=access.actor_id,
        seq=seq,
        write=write,
        parameters={
            "card_id": card_id,
            "column_id": column_id,
            "position": placement.position,
            "updated_at": now,
        },
    )
    _note_moved(session, card_id, column_id, placement.position, now)
    return rows


# Built once: a move runs it each time, and building a statement costs more than running it
# (docs/performance.md, "Where a request's time goes"). The card and its target column: a
# column that is not there leaves the card's row with NULLs (the outer join), so that the right
# error can be told. Whether each is archived is all that is read of `archived_at`: its value as
# the driver gives it, so that no value of the read needs converting, on any of its rows.
_CARD_AND_TARGET = (
    select(
        Card.board_id,
        Card.column_id,
        type_coerce(Card.archived_at, NullType()).label("archived_at"),
        Card.title,
        BoardColumn.board_id.label("target_board_id"),
        type_coerce(BoardColumn.archived_at, NullType()).label("target_archived_at"),
        BoardColumn.title.label("target_title"),
    )
    .select_from(Card)
    .outerjoin(BoardColumn, BoardColumn.id == bindparam("column_id"))
    .where(Card.id == bindparam("card_id"))
    .subquery("moving")
)
_CARD_AND_TARGET_WIDTH = len(_CARD_AND_TARGET.c)
# Each row, that card and target, then one open card of the destination or of the origin (the
# same column, or two), in order: where the card goes, and the origin's order once it has gone.
# One statement rather than two: on PostgreSQL each is a round trip. The position as the driver
# gives it (a float from both): asyncpg's float type wants the column's type code to convert a
# value, which a statement compiled once (`db.all_rows`) does not have.
_open = aliased(Card, name="open_card")
_MOVING = (
    select(
        *_CARD_AND_TARGET.c,
        _open.id,
        type_coerce(_open.position, NullType()),
        _open.column_id,
    )
    .select_from(_CARD_AND_TARGET)
    .outerjoin(
        _open,
        and_(
            _open.column_id.in_([bindparam("column_id"), _CARD_AND_TARGET.c.column_id]),
            _open.archived_at.is_(None),
        ),
    )
    .order_by(_open.position, _open.id)
)
_cards = cast(Table, Card.__table__)
_MOVE = (
    update(_cards)
    .where(_cards.c.id == bindparam("card_id"))
    .values(
        column_id=bindparam("column_id"),
        position=bindparam("position"),
        updated_at=bindparam("updated_at"),
    )
)
# The API answers with the card as moved: the UPDATE gives it back, labels and all, as
# `card_records` reads it.
_MOVE_RETURNING_CARD = _MOVE.returning(*CARD_COLUMNS, labels_json())


def _note_moved(
    session: AsyncSession, card_id: int, column_id: int, position: float, now: datetime
) -> None:
    """A copy of the card this session loaded earlier (a caller that checked access with
    `card_access`) is told where the card went, rather than kept as it was."""
    loaded = session.identity_map.get(inspect(Card).identity_key_from_primary_key((card_id,)))
    if loaded is not None:
        for name, value in (("column_id", column_id), ("position", position), ("updated_at", now)):
            set_committed_value(loaded, name, value)


async def archive_card(session: AsyncSession, access: BoardAccess, card_id: int) -> Card:
    access.require_facilitator()
    await lock_board(session, access.board.id)  # the board first (see `update_card`)
    card = await card_on_board(session, access, card_id)
    if card.archived_at is None:
        card.archived_at = utcnow()
        card.updated_at = utcnow()
        await access.record(
            session,
            CardArchived(
                card_id=card.id, column_id=card.column_id, title=card.title, by=access.actor_name
            ),
        )
    return card


async def restore_card(session: AsyncSession, access: BoardAccess, card_id: int) -> Card:
    """Bring an archived card back, last in its column (or its column, once that is restored)."""
    access.require_facilitator()
    await lock_board(session, access.board.id)
    card = await card_on_board(session, access, card_id)
    if card.archived_at is not None:
        placement = await place_among(session, Card, _open_cards_of(card.column_id), None)
        card.archived_at = None
        card.position = placement.position
        card.updated_at = utcnow()
        await session.flush()
        await access.record(
            session,
            CardRestored(card=card_document(card), index=placement.index, by=access.actor_name),
        )
    return card


async def _open_column(session: AsyncSession, access: BoardAccess, column_id: int) -> BoardColumn:
    column = await column_for(access, session, column_id)
    if column.archived_at is not None:
        raise Invalid(_("This column is archived."), field="column_id")
    return column


def _open_cards_of(column_id: int) -> list[ColumnElement[Any]]:
    return [Card.column_id == column_id, Card.archived_at.is_(None)]
