"""A participant's marks on cards: favourites (private stars) and useful marks (public as a count).

A favourite is nobody's business but its owner's: no event, no change to the board's `seq`, and
never in a shared rendering: a page's buttons come unpressed, and the person's own marks are a
small document of their own (`/b/{slug}/mine.json`), which board.js applies. A useful mark
is a change everyone sees, as a number: the card's `useful` count changes in the same transaction
as the mark, and a `card.useful` event carries the new count, not who marked it (its row records
no actor either).

Marking twice is marking once: the person's mark is a primary key (person, card), and the board
lock taken by the event serialises the count's changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from toolbox.board.access import BoardAccess
from toolbox.board.cards import card_on_board
from toolbox.board.models import (
    Board,
    BoardColumn,
    Card,
    Favourite,
    Membership,
    UsefulMark,
    Visibility,
)
from toolbox.events.log import lock_board, record_event
from toolbox.events.types import CardUseful
from toolbox.principal import Actor


@dataclass(frozen=True, slots=True)
class MyMarks:
    """One person's marks on one board's cards (card ids)."""

    favourites: frozenset[int] = frozenset()
    useful: frozenset[int] = frozenset()

    def as_document(self) -> dict[str, list[int]]:
        return {"favourite": sorted(self.favourites), "useful": sorted(self.useful)}


async def set_favourite(
    session: AsyncSession, access: BoardAccess, card_id: int, *, on: bool
) -> Card:
    access.require_participant()
    assert access.user is not None
    card = await card_on_board(session, access, card_id)
    key = {"user_id": access.user.id, "card_id": card.id}
    existing = await session.get(Favourite, key)
    if on and existing is None:
        try:
            async with session.begin_nested():  # a double click's twin may have starred it
                session.add(Favourite(**key))
        except IntegrityError:
            pass
    elif not on and existing is not None:
        await session.delete(existing)
        await session.flush()
    return card


async def set_useful(session: AsyncSession, access: BoardAccess, card_id: int, *, on: bool) -> Card:
    """Mark a card useful (or take the mark back); the card's count and a `card.useful` event
    follow only when the mark changed."""
    access.require_participant()
    assert access.user is not None
    # Before reading the mark: two requests of the same person at once count once.
    await lock_board(session, access.board.id)
    card = await card_on_board(session, access, card_id)
    key = {"user_id": access.user.id, "card_id": card.id}
    marked = await session.get(UsefulMark, key) is not None
    if on == marked:
        return card
    if on:
        session.add(UsefulMark(**key))
    else:
        await session.execute(
            delete(UsefulMark).where(
                UsefulMark.user_id == access.user.id, UsefulMark.card_id == card.id
            )
        )
    count = await session.scalar(
        update(Card)
        .where(Card.id == card.id)
        .values(useful=Card.useful + (1 if on else -1))
        .returning(Card.useful)
        .execution_options(synchronize_session=False)
    )
    assert count is not None
    await session.flush()
    await session.refresh(card, ["useful"])
    await record_event(
        session,
        access.board.id,
        CardUseful(card_id=card.id, column_id=card.column_id, title=card.title, useful=count),
        actor_id=None,  # the count is public, who marked it is not
    )
    return card


async def my_marks(session: AsyncSession, slug: str, user: Actor | None) -> MyMarks:
    """`user`'s favourites and useful marks among the cards of the board at `slug` (none for a
    visitor). Read per request, beside the board's shared rendering."""
    if user is None:
        return MyMarks()
    board_id = select(Board.id).where(Board.slug == slug).scalar_subquery()
    favourites = await session.scalars(
        select(Favourite.card_id)
        .join(Card, Card.id == Favourite.card_id)
        .where(Favourite.user_id == user.id, Card.board_id == board_id)
    )
    useful = await session.scalars(
        select(UsefulMark.card_id)
        .join(Card, Card.id == UsefulMark.card_id)
        .where(UsefulMark.user_id == user.id, Card.board_id == board_id)
    )
    return MyMarks(frozenset(favourites), frozenset(useful))


async def my_favourites(session: AsyncSession, user: Actor) -> list[tuple[Card, Board]]:
    """`user`'s starred cards that are still open, on every board, newest star first.

    A board the person may no longer read keeps their stars but does not show them."""
    member_of = select(Membership.board_id).where(Membership.user_id == user.id)
    readable = (
        true()
        if user.is_admin
        else (Board.visibility == Visibility.public) | Board.id.in_(member_of)
    )
    rows = await session.execute(
        select(Card, Board)
        .join(Favourite, Favourite.card_id == Card.id)
        .join(Board, Board.id == Card.board_id)
        .join(BoardColumn, BoardColumn.id == Card.column_id)
        .where(
            Favourite.user_id == user.id,
            readable,
            Card.archived_at.is_(None),
            BoardColumn.archived_at.is_(None),
        )
        .order_by(Favourite.created_at.desc(), Card.id)
    )
    return [(card, board) for card, board in rows]
