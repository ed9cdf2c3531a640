"""The built-in sections of a backup: people, labels, columns, cards, history notes,
memberships, events, and the external ids that let a later Trello import find its cards."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field
from sqlalchemy import select, union
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from toolbox.accounts.models import User
from toolbox.board.models import (
    DESCRIPTION_MAX,
    TITLE_MAX,
    URL_MAX,
    Board,
    BoardColumn,
    Card,
    Kind,
    Label,
    Membership,
    Role,
)
from toolbox.events.models import BoardEvent
from toolbox.i18n import LOCALES
from toolbox.i18n import gettext as _
from toolbox.transfer.models import EXTERNAL_ID_MAX, ExternalId, HistoryNote
from toolbox.transfer.sections import Restoring, Row, damaged

Title = Annotated[str, Field(min_length=1, max_length=TITLE_MAX)]
Email = Annotated[str, Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")]


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


# People: everyone a row names (members, authors of events, creators of cards), by e-mail.


class PersonRow(Row):
    email: Email
    name: Annotated[str, Field(max_length=120)] = ""
    locale: str | None = None


async def export_people(session: AsyncSession, board: Board) -> list[dict[str, Any]]:
    named = union(
        select(Membership.user_id).where(Membership.board_id == board.id),
        select(BoardEvent.actor_id).where(BoardEvent.board_id == board.id),
        select(Card.created_by_id).where(Card.board_id == board.id),
    ).subquery()
    people = await session.scalars(
        select(User).where(User.id.in_(select(named.c[0]))).order_by(User.email)
    )
    return [{"email": p.email, "name": p.name, "locale": p.locale} for p in people]


async def restore_people(session: AsyncSession, state: Restoring, rows: list[PersonRow]) -> None:
    """People already here are found by e-mail and left as they are; others get an account
    without a password (they set one through a password reset, or an admin gives one)."""
    emails = [row.email.lower() for row in rows]
    found = {u.email: u for u in await session.scalars(select(User).where(User.email.in_(emails)))}
    for row in rows:
        email = row.email.lower()
        user = found.get(email)
        if user is None:
            user = User(
                email=email,
                name=row.name,
                locale=row.locale if row.locale in LOCALES else None,
                password_hash=None,
                is_admin=False,
            )
            session.add(user)
            found[email] = user
        state.people[row.email] = user
    await session.flush()


class LabelRow(Row):
    id: int
    name: Annotated[str, Field(min_length=1, max_length=80)]
    colour: Annotated[str, Field(max_length=20)]


async def export_labels(session: AsyncSession, board: Board) -> list[dict[str, Any]]:
    labels = await session.scalars(
        select(Label).where(Label.board_id == board.id).order_by(Label.name, Label.id)
    )
    return [{"id": label.id, "name": label.name, "colour": label.colour} for label in labels]


async def restore_labels(session: AsyncSession, state: Restoring, rows: list[LabelRow]) -> None:
    for row in rows:
        label = Label(board_id=state.board.id, name=row.name, colour=row.colour)
        session.add(label)
        state.labels[row.id] = label


class ColumnRow(Row):
    id: int
    title: Title
    description: Annotated[str, Field(max_length=DESCRIPTION_MAX)] = ""
    colour: Annotated[str, Field(max_length=20)] | None = None
    position: float
    archived_at: datetime | None = None
    created_at: datetime
    updated_at: datetime


async def export_columns(session: AsyncSession, board: Board) -> list[dict[str, Any]]:
    columns = await session.scalars(
        select(BoardColumn)
        .where(BoardColumn.board_id == board.id)
        .order_by(BoardColumn.position, BoardColumn.id)
    )
    return [
        {
            "id": c.id,
            "title": c.title,
            "description": c.description,
            "colour": c.colour,
            "position": c.position,
            "archived_at": _when(c.archived_at),
            "created_at": _when(c.created_at),
            "updated_at": _when(c.updated_at),
        }
        for c in columns
    ]


async def restore_columns(session: AsyncSession, state: Restoring, rows: list[ColumnRow]) -> None:
    for row in rows:
        column = BoardColumn(board_id=state.board.id, **row.model_dump(exclude={"id"}))
        session.add(column)
        state.columns[row.id] = column


class CardRow(Row):
    id: int
    column_id: int
    title: Title
    url: Annotated[str, Field(max_length=URL_MAX)] | None = None
    description: str = ""
    kind: Kind = Kind.other
    languages: list[Annotated[str, Field(max_length=20)]] = Field(default_factory=list)
    audiences: list[Annotated[str, Field(max_length=80)]] = Field(default_factory=list)
    labels: list[str] = Field(default_factory=list)
    source: Annotated[str, Field(max_length=TITLE_MAX)] = ""
    licence: Annotated[str, Field(max_length=120)] = ""
    position: float
    version: Annotated[int, Field(ge=1)] = 1
    archived_at: datetime | None = None
    created_by: Email | None = None
    created_at: datetime
    updated_at: datetime


async def export_cards(session: AsyncSession, board: Board) -> list[dict[str, Any]]:
    creator = aliased(User)
    rows = await session.execute(
        select(Card, creator.email)
        .join(BoardColumn, BoardColumn.id == Card.column_id)
        .outerjoin(creator, creator.id == Card.created_by_id)
        .where(Card.board_id == board.id)
        .order_by(BoardColumn.position, BoardColumn.id, Card.position, Card.id)
    )
    return [
        {
            "id": card.id,
            "column_id": card.column_id,
            "title": card.title,
            "url": card.url,
            "description": card.description,
            "kind": card.kind.value,
            "languages": list(card.languages),
            "audiences": list(card.audiences),
            "labels": [label.name for label in card.labels],
            "source": card.source,
            "licence": card.licence,
            "position": card.position,
            "version": card.version,
            "archived_at": _when(card.archived_at),
            "created_by": email,
            "created_at": _when(card.created_at),
            "updated_at": _when(card.updated_at),
        }
        for card, email in rows.all()
    ]


async def restore_cards(session: AsyncSession, state: Restoring, rows: list[CardRow]) -> None:
    labels = {label.name: label for label in state.labels.values()}
    for row in rows:
        column = state.find(state.columns, row.column_id, "column")
        missing = [name for name in row.labels if name not in labels]
        if missing:
            raise damaged(_("a card has the label “%(name)s”, which it lacks.", name=missing[0]))
        creator = state.person(row.created_by)
        card = Card(
            board_id=state.board.id,
            column_id=column.id,
            created_by_id=creator.id if creator else None,
            labels=[labels[name] for name in row.labels],
            **row.model_dump(exclude={"id", "column_id", "labels", "created_by"}),
        )
        session.add(card)
        state.cards[row.id] = card


class NoteRow(Row):
    card_id: int
    author: Annotated[str, Field(max_length=120)] = ""
    body: str = ""
    at: datetime
    external_id: Annotated[str, Field(max_length=EXTERNAL_ID_MAX)] | None = None


async def export_notes(session: AsyncSession, board: Board) -> list[dict[str, Any]]:
    notes = await session.scalars(
        select(HistoryNote)
        .where(HistoryNote.board_id == board.id)
        .order_by(HistoryNote.at, HistoryNote.id)
    )
    return [
        {
            "card_id": n.card_id,
            "author": n.author,
            "body": n.body,
            "at": _when(n.at),
            "external_id": n.external_id,
        }
        for n in notes
    ]


async def restore_notes(session: AsyncSession, state: Restoring, rows: list[NoteRow]) -> None:
    for row in rows:
        card = state.find(state.cards, row.card_id, "card")
        fields = row.model_dump(exclude={"card_id"})
        session.add(HistoryNote(board_id=state.board.id, card_id=card.id, **fields))


class MembershipRow(Row):
    email: Email
    role: Role
    created_at: datetime


async def export_memberships(session: AsyncSession, board: Board) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(Membership, User.email)
        .join(User, User.id == Membership.user_id)
        .where(Membership.board_id == board.id)
        .order_by(User.email)
    )
    return [
        {"email": email, "role": m.role.value, "created_at": _when(m.created_at)}
        for m, email in rows.all()
    ]


async def restore_memberships(
    session: AsyncSession, state: Restoring, rows: list[MembershipRow]
) -> None:
    for row in rows:
        person = state.person(row.email)
        assert person is not None
        session.add(
            Membership(
                board_id=state.board.id, user_id=person.id, role=row.role, created_at=row.created_at
            )
        )


class EventRow(Row):
    seq: Annotated[int, Field(ge=1)]
    type: Annotated[str, Field(max_length=40)]
    actor: Email | None = None
    at: datetime
    data: dict[str, Any] = Field(default_factory=dict)


async def export_events(session: AsyncSession, board: Board) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(BoardEvent, User.email)
        .outerjoin(User, User.id == BoardEvent.actor_id)
        .where(BoardEvent.board_id == board.id)
        .order_by(BoardEvent.seq)
    )
    return [
        {"seq": e.seq, "type": e.type, "actor": email, "at": _when(e.at), "data": e.data}
        for e, email in rows.all()
    ]


async def restore_events(session: AsyncSession, state: Restoring, rows: list[EventRow]) -> None:
    """The history comes back as it was. Ids inside `data` are those of the exported board."""
    if len({row.seq for row in rows}) != len(rows):
        raise damaged(_("two events have the same number."))
    if rows and max(row.seq for row in rows) > state.board.seq:
        raise damaged(_("an event is numbered after the board's last change."))
    for row in rows:
        actor = state.person(row.actor)
        session.add(
            BoardEvent(
                board_id=state.board.id,
                seq=row.seq,
                type=row.type,
                actor_id=actor.id if actor else None,
                at=row.at,
                data=row.data,
            )
        )


class ExternalIdRow(Row):
    kind: Literal["column", "card", "label"]
    source: Annotated[str, Field(max_length=20)]
    external_id: Annotated[str, Field(max_length=EXTERNAL_ID_MAX)]
    local_id: int


async def export_external_ids(session: AsyncSession, board: Board) -> list[dict[str, Any]]:
    rows = await session.scalars(
        select(ExternalId)
        .where(ExternalId.board_id == board.id)
        .order_by(ExternalId.source, ExternalId.kind, ExternalId.external_id)
    )
    return [
        {"kind": r.kind, "source": r.source, "external_id": r.external_id, "local_id": r.local_id}
        for r in rows
    ]


async def restore_external_ids(
    session: AsyncSession, state: Restoring, rows: list[ExternalIdRow]
) -> None:
    """So that importing the same Trello board into the restored one still updates it."""
    made: dict[str, dict[int, Any]] = {
        "column": state.columns,
        "card": state.cards,
        "label": state.labels,
    }
    for row in rows:
        item = state.find(made[row.kind], row.local_id, row.kind)
        session.add(
            ExternalId(
                board_id=state.board.id,
                source=row.source,
                kind=row.kind,
                external_id=row.external_id,
                local_id=item.id,
            )
        )
