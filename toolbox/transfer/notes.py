"""History notes (comments brought from Trello), read by card for the board's facilitators.

Comments were written for the people curating the board, so only its facilitators read them.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from toolbox.board.access import BoardAccess
from toolbox.board.models import Card
from toolbox.transfer.models import HistoryNote


async def notes_by_card(
    session: AsyncSession, access: BoardAccess
) -> list[tuple[Card, list[HistoryNote]]]:
    """Cards that have notes, in board order, each with its notes oldest first."""
    access.require_facilitator()
    rows = await session.execute(
        select(HistoryNote, Card)
        .join(Card, Card.id == HistoryNote.card_id)
        .where(HistoryNote.board_id == access.board.id)
        .order_by(Card.column_id, Card.position, Card.id, HistoryNote.at, HistoryNote.id)
    )
    grouped: dict[int, tuple[Card, list[HistoryNote]]] = {}
    for note, card in rows.all():
        grouped.setdefault(card.id, (card, []))[1].append(note)
    return list(grouped.values())
