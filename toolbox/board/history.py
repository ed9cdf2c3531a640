"""The board's history for the manage page: each change as a sentence with who made it and
when, newest first, a page at a time, filtered by the kind of thing it changed.

The events are the log every change already writes (`toolbox.events`); this reads them back
and says them in the reader's language. The manage page is for facilitators, who may see every
event, including who booked which session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from toolbox.accounts.models import User
from toolbox.board.live import announcement
from toolbox.board.models import Board
from toolbox.events.models import BoardEvent
from toolbox.events.types import (
    BoardImported,
    BoardUpdated,
    Event,
    MemberUpdated,
    SlotBooked,
    SlotCancelled,
    SlotClaimed,
    SlotCreated,
    SlotEvent,
    SlotReleased,
    SlotUpdated,
    parse,
)
from toolbox.i18n import format_datetime
from toolbox.i18n import gettext as _

PAGE_SIZE = 25

#: The kinds a facilitator can filter the history by: the first word of the event types.
KINDS = ("card", "column", "label", "suggestion", "member", "slot", "board")


def kind_name(kind: str) -> str:
    names = {
        "card": _("Resources"),
        "column": _("Columns"),
        "label": _("Labels"),
        "suggestion": _("Suggestions"),
        "member": _("Members"),
        "slot": _("Brigade sessions"),
        "board": _("The board"),
    }
    return names.get(kind, kind)


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One line of the history: when, which kind of change, about what, by whom, in words."""

    at: datetime
    type: str
    subject: str  # a card's or column's title, as its event's declaration names it; or ""
    author: str  # who made the change, or "" (the command line, an import)
    sentence: str


@dataclass(frozen=True, slots=True)
class HistoryPage:
    entries: list[HistoryEntry]
    page: int  # from 1
    pages: int
    total: int
    kind: str | None


async def board_history(
    session: AsyncSession, board: Board, *, kind: str | None = None, page: int = 1
) -> HistoryPage:
    """One page of the board's history, newest first; `kind` one of KINDS, or None for all."""
    kind = kind if kind in KINDS else None
    where = [BoardEvent.board_id == board.id]
    if kind:
        where.append(BoardEvent.type.startswith(f"{kind}.", autoescape=True))
    total = int(await session.scalar(select(func.count()).where(*where)) or 0)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = await session.execute(
        select(BoardEvent, User.name)
        .outerjoin(User, User.id == BoardEvent.actor_id)
        .where(*where)
        .order_by(BoardEvent.seq.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    entries = [_entry(row, actor or "", board.timezone) for row, actor in rows.all()]
    return HistoryPage(entries=entries, page=page, pages=pages, total=total, kind=kind)


async def recent_history(
    session: AsyncSession, board: Board, count: int = PAGE_SIZE
) -> list[HistoryEntry]:
    """The board's last `count` events, the newest first."""
    rows = await session.execute(
        select(BoardEvent, User.name)
        .outerjoin(User, User.id == BoardEvent.actor_id)
        .where(BoardEvent.board_id == board.id)
        .order_by(BoardEvent.seq.desc())
        .limit(count)
    )
    return [_entry(row, actor or "", board.timezone) for row, actor in rows.all()]


def _entry(row: BoardEvent, actor: str, timezone: str) -> HistoryEntry:
    event = parse(row.type, row.data)
    author = (event.author if event else "") or actor
    return HistoryEntry(
        at=row.at,
        type=row.type,
        subject=event.subject if event else "",
        author=author,
        sentence=sentence(event, author, timezone) if event else _("A change"),
    )


def sentence(event: Event, author: str, timezone: str) -> str:
    """The change in words, with who made it when known."""
    name = author or _("someone")
    said = announcement(event)
    if said:
        return said
    match event:
        case MemberUpdated():
            return _(
                "%(name)s made %(person)s %(role)s",
                name=name,
                person=event.name,
                role=_role(event.role),
            )
        case BoardUpdated():
            return _("Board settings changed by %(name)s", name=name)
        case BoardImported():
            return _(
                "Imported from %(source)s: %(columns)s columns, %(cards)s resources",
                source=event.source,
                columns=event.columns,
                cards=event.cards,
            )
        case SlotEvent():
            return _slot_sentence(event, name, timezone)
    return _("A change")


def _slot_sentence(event: SlotEvent, name: str, timezone: str) -> str:
    starts = datetime.fromisoformat(str(event.slot["starts_at"]))
    place = str(event.slot.get("place") or "")
    when = format_datetime(starts.astimezone(ZoneInfo(timezone)), timezone, "short")
    session = _("%(when)s, %(place)s", when=when, place=place) if place else when
    match event:
        case SlotCreated():
            return _("Session of %(session)s added by %(name)s", session=session, name=name)
        case SlotClaimed():
            return _("Session of %(session)s claimed by %(name)s", session=session, name=name)
        case SlotReleased():
            return _("Session of %(session)s released by %(name)s", session=session, name=name)
        case SlotBooked():
            return _("Seat booked by %(name)s, session of %(session)s", session=session, name=name)
        case SlotCancelled():
            return _(
                "Booking cancelled by %(name)s, session of %(session)s", session=session, name=name
            )
        case SlotUpdated():
            return _("Session of %(session)s updated by %(name)s", session=session, name=name)
    return session


def _role(role: str) -> str:
    names = {
        "participant": _("participant"),
        "expert": _("expert"),
        "facilitator": _("facilitator"),
    }
    return names.get(role, role)
