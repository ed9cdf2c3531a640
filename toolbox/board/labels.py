"""The board's labels as facilitators manage them: make one (a name and a colour from the
palette), rename or recolour it, delete it (the cards that carried it lose it). Each change is
an event, and the board's cards show it live.

Names are one label whatever their case, as `cards.labels_named` finds them when a card names
its labels: "Données" and "données" cannot both exist.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from toolbox.board.access import BoardAccess
from toolbox.board.documents import label_document
from toolbox.board.models import Board, Label, card_labels
from toolbox.board.schemas import LabelIn
from toolbox.errors import Conflict, NotFound
from toolbox.events.log import lock_board
from toolbox.events.types import LabelCreated, LabelDeleted, LabelUpdated
from toolbox.i18n import gettext as _


async def board_labels(session: AsyncSession, board: Board) -> list[tuple[Label, int]]:
    """The board's labels by name, each with how many cards carry it."""
    uses = (
        select(card_labels.c.label_id, func.count().label("uses"))
        .group_by(card_labels.c.label_id)
        .subquery()
    )
    rows = await session.execute(
        select(Label, func.coalesce(uses.c.uses, 0))
        .outerjoin(uses, uses.c.label_id == Label.id)
        .where(Label.board_id == board.id)
        .order_by(func.lower(Label.name), Label.id)
    )
    return [(label, int(count)) for label, count in rows.all()]


async def create_label(session: AsyncSession, access: BoardAccess, data: LabelIn) -> Label:
    access.require_facilitator()
    await lock_board(session, access.board.id)
    await _refuse_taken(session, access.board, data.name, None)
    label = Label(board_id=access.board.id, name=data.name, colour=data.colour)
    session.add(label)
    await session.flush()
    await access.record(session, LabelCreated(label=label_document(label), by=access.actor_name))
    return label


async def update_label(
    session: AsyncSession, access: BoardAccess, label_id: int, data: LabelIn
) -> Label:
    access.require_facilitator()
    await lock_board(session, access.board.id)
    label = await _label_on_board(session, access.board, label_id)
    await _refuse_taken(session, access.board, data.name, label.id)
    label.name, label.colour = data.name, data.colour
    await session.flush()
    await access.record(session, LabelUpdated(label=label_document(label), by=access.actor_name))
    return label


async def delete_label(session: AsyncSession, access: BoardAccess, label_id: int) -> None:
    access.require_facilitator()
    await lock_board(session, access.board.id)
    label = await _label_on_board(session, access.board, label_id)
    document = label_document(label)
    # The cards' links first, row by row, so that the search index's triggers forget the name
    # (a cascade from the label's row would not tell every database's triggers).
    await session.execute(delete(card_labels).where(card_labels.c.label_id == label.id))
    await session.delete(label)
    await session.flush()
    await access.record(session, LabelDeleted(label=document, by=access.actor_name))


async def _label_on_board(session: AsyncSession, board: Board, label_id: int) -> Label:
    label = await session.get(Label, label_id, populate_existing=True)  # under the lock: now
    if label is None or label.board_id != board.id:
        raise NotFound(_("This label does not exist."))
    return label


async def _refuse_taken(
    session: AsyncSession, board: Board, name: str, label_id: int | None
) -> None:
    taken = await session.scalar(
        select(Label.id).where(
            Label.board_id == board.id,
            func.lower(Label.name) == name.lower(),
            Label.id != (label_id or 0),
        )
    )
    if taken is not None:
        raise Conflict(_("The board already has a label with this name."), code="label_exists")
