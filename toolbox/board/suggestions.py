"""Suggestions: a participant proposes a resource; the facilitators accept it (it becomes a card,
edited first, in the column they pick: one transaction) or decline it with a reason.

Who sees what: the facilitators see every suggestion of their board; a participant sees their
own (with its fate and, when declined, the reason); nobody else sees any. The events say how many
wait, for the facilitators' count; the reason travels in none.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from toolbox.accounts.models import User
from toolbox.board.access import BoardAccess, board_access_by_id
from toolbox.board.cards import create_card
from toolbox.board.models import Board, Card, Kind, Suggestion, SuggestionStatus
from toolbox.board.schemas import AcceptSuggestion, CardIn, DeclineSuggestion, SuggestionIn
from toolbox.db import utcnow
from toolbox.errors import Conflict, NotFound
from toolbox.events.log import lock_board
from toolbox.events.types import SuggestionAccepted, SuggestionCreated, SuggestionDeclined
from toolbox.i18n import gettext as _
from toolbox.principal import Actor

#: Pending suggestions one person may have on one board: enough for a workshop's finds, few
#: enough that nobody floods the facilitators' inbox.
PENDING_MAX = 20


@dataclass(frozen=True, slots=True)
class SuggestionView:
    """A suggestion as its readers see it, with whether its link is already on the board."""

    suggestion: Suggestion
    proposer: str
    already_on_board: bool
    board_slug: str
    board_title: str


def same_link(url: str | None) -> str:
    """A link as compared with the board's: scheme and host without case, no trailing slash,
    no "www.", http and https alike."""
    if not url:
        return ""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").removeprefix("www.")
    path = parts.path.rstrip("/")
    return f"{host}{path}?{parts.query}" if parts.query else f"{host}{path}"


async def pending_count(session: AsyncSession, board_id: int) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(Suggestion)
        .where(Suggestion.board_id == board_id, Suggestion.status == SuggestionStatus.pending)
    )
    return int(count or 0)


async def suggest(session: AsyncSession, access: BoardAccess, data: SuggestionIn) -> Suggestion:
    access.require_contributor()
    assert access.user is not None
    await lock_board(session, access.board.id)  # the limit below, counted one request at a time
    mine = await session.scalar(
        select(func.count())
        .select_from(Suggestion)
        .where(
            Suggestion.board_id == access.board.id,
            Suggestion.proposer_id == access.user.id,
            Suggestion.status == SuggestionStatus.pending,
        )
    )
    if (mine or 0) >= PENDING_MAX:
        raise Conflict(
            _(
                "You already have %(count)s suggestions waiting on this board: wait for the "
                "facilitators to look at them.",
                count=PENDING_MAX,
            ),
            code="too_many_suggestions",
        )
    suggestion = Suggestion(
        board_id=access.board.id,
        proposer_id=access.user.id,
        title=data.title,
        url=data.url,
        why=data.why.strip(),
    )
    session.add(suggestion)
    await session.flush()
    await _record(session, access, suggestion, SuggestionCreated)
    return suggestion


async def accept(
    session: AsyncSession, access: BoardAccess, suggestion_id: int, data: AcceptSuggestion
) -> Suggestion:
    """Make the card (as the facilitator edited it) and close the suggestion, together."""
    access.require_facilitator()
    suggestion = await _pending(session, access, suggestion_id)
    card = await create_card(
        session,
        access,
        CardIn(
            column_id=data.column_id,
            title=data.title or suggestion.title,
            url=data.url if "url" in data.model_fields_set else suggestion.url,
            description=data.description if data.description is not None else suggestion.why,
            kind=data.kind or Kind.other,
        ),
    )
    suggestion.status = SuggestionStatus.accepted
    suggestion.card_id = card.id
    _decided(suggestion, access)
    await session.flush()
    await _record(session, access, suggestion, SuggestionAccepted, card_id=card.id)
    return suggestion


async def decline(
    session: AsyncSession, access: BoardAccess, suggestion_id: int, data: DeclineSuggestion
) -> Suggestion:
    access.require_facilitator()
    suggestion = await _pending(session, access, suggestion_id)
    suggestion.status = SuggestionStatus.declined
    suggestion.reason = data.reason
    _decided(suggestion, access)
    await session.flush()
    await _record(session, access, suggestion, SuggestionDeclined)
    return suggestion


async def suggestion_access(
    session: AsyncSession, suggestion_id: int, user: Actor | None
) -> tuple[Suggestion, BoardAccess]:
    """A suggestion and the caller's access to its board: its proposer or a facilitator."""
    suggestion = await session.get(Suggestion, suggestion_id)
    if suggestion is None:
        raise NotFound(_("There is no such suggestion."))
    access = await board_access_by_id(session, suggestion.board_id, user)
    access.require_participant()
    if not access.is_facilitator and suggestion.proposer_id != access.user_id:
        raise NotFound(_("There is no such suggestion."))
    return suggestion, access


async def board_suggestions(
    session: AsyncSession, access: BoardAccess, *, pending_only: bool = False
) -> list[SuggestionView]:
    """The facilitators: every suggestion of the board; anyone else signed in: their own."""
    access.require_participant()
    query = (
        select(Suggestion)
        .where(Suggestion.board_id == access.board.id)
        .order_by(Suggestion.created_at.desc(), Suggestion.id.desc())
    )
    if not access.is_facilitator:
        query = query.where(Suggestion.proposer_id == access.user_id)
    if pending_only:
        query = query.where(Suggestion.status == SuggestionStatus.pending)
    found = list(await session.scalars(query))
    return await _views(session, found)


async def my_suggestions(session: AsyncSession, user: Actor) -> list[SuggestionView]:
    """Everything `user` suggested, on every board, newest first."""
    found = await session.scalars(
        select(Suggestion)
        .where(Suggestion.proposer_id == user.id)
        .order_by(Suggestion.created_at.desc(), Suggestion.id.desc())
    )
    return await _views(session, list(found))


async def suggestion_view(session: AsyncSession, suggestion: Suggestion) -> SuggestionView:
    return (await _views(session, [suggestion]))[0]


async def _views(session: AsyncSession, found: list[Suggestion]) -> list[SuggestionView]:
    if not found:
        return []
    board_ids = {suggestion.board_id for suggestion in found}
    links = await session.execute(
        select(Card.board_id, Card.url).where(
            Card.board_id.in_(board_ids), Card.url.is_not(None), Card.archived_at.is_(None)
        )
    )
    on_boards = {(board_id, same_link(url)) for board_id, url in links}
    boards = {
        board_id: (slug, title)
        for board_id, slug, title in await session.execute(
            select(Board.id, Board.slug, Board.title).where(Board.id.in_(board_ids))
        )
    }
    people = {
        user.id: user.display_name
        for user in await session.scalars(
            select(User).where(User.id.in_({s.proposer_id for s in found}))
        )
    }
    return [
        SuggestionView(
            suggestion,
            people.get(suggestion.proposer_id, ""),
            bool(suggestion.url)
            and (suggestion.board_id, same_link(suggestion.url)) in on_boards
            and suggestion.status == SuggestionStatus.pending,
            *boards[suggestion.board_id],
        )
        for suggestion in found
    ]


async def _pending(session: AsyncSession, access: BoardAccess, suggestion_id: int) -> Suggestion:
    await lock_board(session, access.board.id)  # two facilitators deciding at once: one wins
    # Read again: the copy loaded to check access may predate the other's decision.
    suggestion = await session.get(Suggestion, suggestion_id, populate_existing=True)
    if suggestion is None or suggestion.board_id != access.board.id:
        raise NotFound(_("There is no such suggestion."))
    if suggestion.status != SuggestionStatus.pending:
        raise Conflict(_("This suggestion was already decided."), code="already_decided")
    return suggestion


def _decided(suggestion: Suggestion, access: BoardAccess) -> None:
    suggestion.decided_by_id = access.user_id
    suggestion.decided_at = utcnow()


async def _record(
    session: AsyncSession,
    access: BoardAccess,
    suggestion: Suggestion,
    kind: type[SuggestionCreated] | type[SuggestionAccepted] | type[SuggestionDeclined],
    **extra: int,
) -> None:
    event = kind(
        suggestion_id=suggestion.id,
        title=suggestion.title,
        pending=await pending_count(session, access.board.id),
        by=access.actor_name,
        **extra,
    )
    await access.record(session, event)


def suggestion_document(view: SuggestionView, board_slug: str) -> dict[str, object]:
    """The API's shape of a suggestion (for its proposer and the board's facilitators)."""
    suggestion = view.suggestion
    return {
        "id": suggestion.id,
        "board": board_slug,
        "title": suggestion.title,
        "url": suggestion.url,
        "why": suggestion.why,
        "status": suggestion.status.value,
        "card_id": suggestion.card_id,
        "reason": suggestion.reason if suggestion.status == SuggestionStatus.declined else None,
        "already_on_board": view.already_on_board,
        "proposer": view.proposer,
        "created_at": suggestion.created_at.isoformat(),
        "decided_at": suggestion.decided_at.isoformat() if suggestion.decided_at else None,
    }
