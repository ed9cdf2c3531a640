"""Writing an import plan into a board, in the caller's one transaction, with one board event.

Things that came with an external id (a Trello list, card, label, comment) are found again by it,
so importing the same file twice updates what the first import made and adds nothing. Things
without one (CSV rows) are added; their columns are found by title.

Imported columns and cards are laid out in the file's order after the ones the board had already
(made here by hand), which keep their places.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from toolbox.accounts.access import access_to
from toolbox.accounts.models import Membership, Role, User
from toolbox.board.cards import LABEL_COLOURS
from toolbox.board.models import (
    TITLE_MAX,
    Board,
    BoardColumn,
    Card,
    Kind,
    Label,
    Registration,
    Visibility,
)
from toolbox.board.positions import GAP
from toolbox.board.schemas import BoardIn
from toolbox.db import utcnow
from toolbox.errors import Conflict, Forbidden
from toolbox.i18n import gettext as _
from toolbox.live.events import lock_board, record_event
from toolbox.transfer.models import BoardOrigin, ExternalId, HistoryNote
from toolbox.transfer.plan import ImportPlan, PlannedCard, PlannedColumn, Progress, no_progress
from toolbox.validation import parse_form

# Flush this often while writing many rows, so the progress shown follows the database's work.
BATCH = 250


@dataclass
class ImportReport:
    slug: str
    title: str
    created_board: bool
    counts: dict[str, int]
    created_cards: int = 0
    updated_cards: int = 0
    unmapped: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The report, one sentence a line, in the current language."""
        counts = self.counts
        heading = (
            _("Board “%(title)s” (%(slug)s) created.", title=self.title, slug=self.slug)
            if self.created_board
            else _("Board “%(title)s” (%(slug)s) updated.", title=self.title, slug=self.slug)
        )
        return [
            heading,
            _(
                "Columns: %(open)s open, %(archived)s archived.",
                open=counts["columns"],
                archived=counts["archived_columns"],
            ),
            _(
                "Cards: %(open)s open, %(archived)s archived "
                "(%(created)s new, %(updated)s changed).",
                open=counts["cards"],
                archived=counts["archived_cards"],
                created=self.created_cards,
                updated=self.updated_cards,
            ),
            _("Labels: %(count)s.", count=counts["labels"]),
            _("Checklist items: %(count)s.", count=counts["checklist_items"]),
            _("Links: %(count)s.", count=counts["links"]),
            _("History notes (comments): %(count)s.", count=counts["notes"]),
            *self.unmapped,
        ]


def plan_counts(plan: ImportPlan) -> dict[str, int]:
    cards = plan.cards
    return {
        "columns": sum(1 for column in plan.columns if not column.archived),
        "archived_columns": sum(1 for column in plan.columns if column.archived),
        "cards": sum(1 for card in cards if not card.archived),
        "archived_cards": sum(1 for card in cards if card.archived),
        "labels": len(plan.labels),
        "checklist_items": plan.checklist_items,
        "links": plan.links,
        "notes": len(plan.notes),
    }


def slug_for(title: str, fallback: str) -> str:
    folded = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:50].strip("-")
    return slug or fallback


async def board_for_import(
    session: AsyncSession,
    plan: ImportPlan,
    *,
    into: Board | None = None,
    slug: str | None = None,
    user: User | None = None,
    facilitator: User | None = None,
    timezone: str,
) -> tuple[Board, bool]:
    """The board an import writes into, and whether it was made for it.

    `into` is a board chosen by name. Otherwise it is the board made before from the same source
    board (unless a new `slug` is asked for), or else a new board. `user` is the person importing
    from the web (None: the command line, which speaks for the admin): they may update only a
    board they facilitate. `facilitator` becomes the board's facilitator.
    """
    board: Board | None = into
    if into is not None and user is not None:
        (await access_to(session, into, user)).require_facilitator()
    if board is None and slug is None and plan.external_id:
        origin = await session.scalar(
            select(BoardOrigin).where(
                BoardOrigin.source == plan.source, BoardOrigin.external_id == plan.external_id
            )
        )
        if origin is not None:
            board = await session.get(Board, origin.board_id)
            assert board is not None
            if user is not None and not (await access_to(session, board, user)).is_facilitator:
                raise Forbidden(
                    _(
                        "This board was imported before as “%(title)s”, which you do not "
                        "facilitate. Ask its facilitators, or import it into this board.",
                        title=board.title,
                    )
                )
    created = board is None
    if board is None:
        board = await _new_board(session, plan, slug, timezone)
    if plan.external_id and await session.get(BoardOrigin, board.id) is None:
        taken = await session.scalar(
            select(BoardOrigin.board_id).where(
                BoardOrigin.source == plan.source, BoardOrigin.external_id == plan.external_id
            )
        )
        if taken is None:
            session.add(
                BoardOrigin(board_id=board.id, source=plan.source, external_id=plan.external_id)
            )
    if facilitator is not None:
        membership = await session.scalar(
            select(Membership).where(
                Membership.board_id == board.id, Membership.user_id == facilitator.id
            )
        )
        if membership is None:
            session.add(
                Membership(board_id=board.id, user_id=facilitator.id, role=Role.facilitator)
            )
        else:
            membership.role = Role.facilitator
    await session.flush()
    return board, created


async def _new_board(
    session: AsyncSession, plan: ImportPlan, slug: str | None, timezone: str
) -> Board:
    if slug is not None:
        parse_form(BoardIn, {"slug": slug, "title": plan.title[:TITLE_MAX].strip() or "-"})
        if await session.scalar(select(Board.id).where(Board.slug == slug)) is not None:
            raise Conflict(_("A board already has this short name."), code="slug_taken")
    else:
        base = slug_for(plan.title, plan.source)
        taken = set(await session.scalars(select(Board.slug).where(Board.slug.startswith(base))))
        slug = next(
            candidate
            for n in range(1, len(taken) + 2)
            if (candidate := base if n == 1 else f"{base}-{n}") not in taken
        )
    board = Board(
        slug=slug,
        title=plan.title[:TITLE_MAX].strip() or _("Imported board"),
        description=plan.description,
        timezone=timezone,
        visibility=Visibility.public if plan.public else Visibility.members,
        registration=Registration.invitation,
        seq=0,
    )
    session.add(board)
    await session.flush()
    return board


async def import_plan(
    session: AsyncSession,
    plan: ImportPlan,
    *,
    into: Board | None = None,
    slug: str | None = None,
    user: User | None = None,
    facilitator: User | None = None,
    timezone: str,
    progress: Progress = no_progress,
) -> ImportReport:
    """Import `plan` into the board `board_for_import` picks (see there for the arguments)."""
    board, created = await board_for_import(
        session, plan, into=into, slug=slug, user=user, facilitator=facilitator, timezone=timezone
    )
    return await apply_plan(
        session,
        plan,
        board,
        actor_id=user.id if user else None,
        created_board=created,
        progress=progress,
    )


async def apply_plan(
    session: AsyncSession,
    plan: ImportPlan,
    board: Board,
    *,
    actor_id: int | None,
    created_board: bool = False,
    progress: Progress = no_progress,
) -> ImportReport:
    await lock_board(session, board.id)
    writer = _Writer(session, plan, board, actor_id, progress)
    await writer.load()
    await writer.labels()
    await writer.columns()
    await writer.cards()
    await writer.notes()
    await writer.links()
    counts = plan_counts(plan)
    # Counts only: every audience may see this event, and it makes open boards reload.
    await record_event(
        session,
        board.id,
        "board.imported",
        {"source": plan.source, **{k: counts[k] for k in ("columns", "cards", "labels")}},
        actor_id=actor_id,
    )
    return ImportReport(
        slug=board.slug,
        title=board.title,
        created_board=created_board,
        counts=counts,
        created_cards=writer.created,
        updated_cards=writer.updated,
        unmapped=list(plan.unmapped),
    )


class _Writer:
    """One import's state while it writes: what the board had, what each planned thing became."""

    def __init__(
        self,
        session: AsyncSession,
        plan: ImportPlan,
        board: Board,
        actor_id: int | None,
        progress: Progress,
    ) -> None:
        self.session, self.plan, self.board, self.actor_id = session, plan, board, actor_id
        self.progress, self.done, self.total = progress, 0, plan.size
        self.known: dict[tuple[str, str], ExternalId] = {}
        self.made: list[tuple[str, str, Label | BoardColumn | Card]] = []
        self.labels_by_name: dict[str, Label] = {}
        self.pairs: list[tuple[PlannedColumn, BoardColumn]] = []
        self.cards_by_external_id: dict[str, Card] = {}
        self.created = self.updated = 0
        self.now = utcnow()

    def step(self) -> None:
        self.done += 1
        self.progress(self.done, self.total)

    async def load(self) -> None:
        rows = await self.session.scalars(
            select(ExternalId).where(
                ExternalId.board_id == self.board.id, ExternalId.source == self.plan.source
            )
        )
        self.known = {(row.kind, row.external_id): row for row in rows}

    def _local(self, kind: str, external_id: str | None) -> int | None:
        row = self.known.get((kind, external_id)) if external_id else None
        return row.local_id if row else None

    async def labels(self) -> None:
        existing = list(
            await self.session.scalars(select(Label).where(Label.board_id == self.board.id))
        )
        by_id = {label.id: label for label in existing}
        by_name = {label.name.casefold(): label for label in existing}
        palette = len(existing)
        for planned in self.plan.labels:
            key = planned.name.casefold()
            label = by_id.get(self._local("label", planned.external_id) or 0)
            if label is not None:
                # Renamed at the source: follow, unless another label has the name already.
                if by_name.get(key, label) is label and label.name != planned.name:
                    by_name.pop(label.name.casefold(), None)
                    label.name = planned.name
                    by_name[key] = label
                if planned.colour and label.colour != planned.colour:
                    label.colour = planned.colour
            else:
                label = by_name.get(key)
                if label is None:
                    colour = planned.colour or LABEL_COLOURS[palette % len(LABEL_COLOURS)]
                    label = Label(board_id=self.board.id, name=planned.name, colour=colour)
                    palette += 1
                    self.session.add(label)
                    by_name[key] = label
            self.labels_by_name[key] = label
            if planned.external_id:
                self.made.append(("label", planned.external_id, label))
            self.step()
        await self.session.flush()

    async def columns(self) -> None:
        existing = list(
            await self.session.scalars(
                select(BoardColumn)
                .where(BoardColumn.board_id == self.board.id)
                .order_by(BoardColumn.position, BoardColumn.id)
            )
        )
        by_id = {column.id: column for column in existing}
        open_by_title: dict[str, BoardColumn] = {}
        for shown in existing:
            if shown.archived_at is None:
                open_by_title.setdefault(shown.title.casefold(), shown)
        owned: list[BoardColumn] = []
        added: list[BoardColumn] = []
        for planned in self.plan.columns:
            column: BoardColumn | None
            if planned.external_id:
                column = by_id.get(self._local("column", planned.external_id) or 0)
            else:
                column = open_by_title.get(planned.title.casefold())
            if column is None:
                column = BoardColumn(
                    board_id=self.board.id, title=planned.title, description="", position=0.0
                )
                self.session.add(column)
                added.append(column)
                if not planned.external_id:
                    open_by_title[planned.title.casefold()] = column
            if planned.external_id:
                owned.append(column)
                self.made.append(("column", planned.external_id, column))
                if column.title != planned.title:
                    column.title = planned.title
                    column.updated_at = self.now
                self._archive(column, planned.archived)
            self.pairs.append((planned, column))
            self.step()
        _lay_out(
            owned, [c for c in existing if c not in owned], [c for c in added if c not in owned]
        )
        await self.session.flush()

    def _archive(self, item: BoardColumn | Card, archived: bool) -> bool:
        if archived and item.archived_at is None:
            item.archived_at = self.now
            return True
        if not archived and item.archived_at is not None:
            item.archived_at = None
            return True
        return False

    async def cards(self) -> None:
        existing = list(
            await self.session.scalars(
                select(Card).where(Card.board_id == self.board.id).order_by(Card.position, Card.id)
            )
        )
        by_id = {card.id: card for card in existing}
        owned: dict[int, list[Card]] = defaultdict(list)
        added: dict[int, list[Card]] = defaultdict(list)
        touched: set[int] = set()
        for planned_column, column in self.pairs:
            for planned in planned_column.cards:
                card = by_id.get(self._local("card", planned.external_id) or 0)
                if card is None:
                    card = self._new_card(planned, column)
                    (owned if planned.external_id else added)[column.id].append(card)
                else:
                    self.updated += self._update_card(card, planned, column)
                    owned[column.id].append(card)
                touched.add(id(card))
                if planned.external_id:
                    self.made.append(("card", planned.external_id, card))
                    self.cards_by_external_id[planned.external_id] = card
                self.step()
                if self.done % BATCH == 0:
                    await self.session.flush()
        others: dict[int, list[Card]] = defaultdict(list)
        for card in existing:
            if id(card) not in touched:
                others[card.column_id].append(card)
        for _planned, column in self.pairs:
            _lay_out(owned[column.id], others[column.id], added[column.id])
        await self.session.flush()

    def _new_card(self, planned: PlannedCard, column: BoardColumn) -> Card:
        card = Card(
            board_id=self.board.id,
            column_id=column.id,
            title=planned.title,
            url=planned.url,
            description=planned.description,
            kind=planned.kind or Kind.other,
            languages=list(planned.languages or []),
            audiences=[],
            source="",
            licence="",
            position=0.0,
            version=1,
            archived_at=self.now if planned.archived else None,
            created_by_id=self.actor_id,
            labels=self._labels_of(planned),
        )
        self.session.add(card)
        self.created += 1
        return card

    def _labels_of(self, planned: PlannedCard) -> list[Label]:
        found = (self.labels_by_name.get(name.casefold()) for name in planned.labels)
        return list({id(label): label for label in found if label is not None}.values())

    def _update_card(self, card: Card, planned: PlannedCard, column: BoardColumn) -> bool:
        """Bring a card made by an earlier import up to date; True when its content changed."""
        wanted: dict[str, Any] = {
            "title": planned.title,
            "description": planned.description,
            "url": planned.url,
        }
        if planned.kind is not None:
            wanted["kind"] = planned.kind
        if planned.languages is not None:
            wanted["languages"] = planned.languages
        changed = False
        for name, value in wanted.items():
            if getattr(card, name) != value:
                setattr(card, name, value)
                changed = True
        labels = self._labels_of(planned)
        if {id(label) for label in labels} != {id(label) for label in card.labels}:
            card.labels = labels
            changed = True
        changed = self._archive(card, planned.archived) or changed
        if changed:
            # Someone editing it from the page now gets a conflict instead of overwriting it.
            card.version += 1
        if changed or card.column_id != column.id:
            card.column_id = column.id
            card.updated_at = self.now
        return changed

    async def notes(self) -> None:
        existing = {
            note.external_id: note
            for note in await self.session.scalars(
                select(HistoryNote).where(
                    HistoryNote.board_id == self.board.id, HistoryNote.external_id.is_not(None)
                )
            )
        }
        for planned in self.plan.notes:
            card = self.cards_by_external_id.get(planned.card_external_id)
            if card is not None:
                external_id = f"{self.plan.source}:{planned.external_id}"
                note = existing.get(external_id)
                if note is None:
                    note = HistoryNote(board_id=self.board.id, external_id=external_id)
                    self.session.add(note)
                    existing[external_id] = note
                note.card_id = card.id
                note.author = planned.author[:120]
                note.body = planned.body
                note.at = planned.at
            self.step()
            if self.done % BATCH == 0:
                await self.session.flush()
        await self.session.flush()

    async def links(self) -> None:
        """Remember the external id of everything this import made or found, for the next."""
        for kind, external_id, item in self.made:
            row = self.known.get((kind, external_id))
            if row is None:
                row = ExternalId(
                    board_id=self.board.id,
                    source=self.plan.source,
                    kind=kind,
                    external_id=external_id,
                    local_id=item.id,
                )
                self.session.add(row)
                self.known[(kind, external_id)] = row
            elif row.local_id != item.id:
                row.local_id = item.id
        await self.session.flush()


def _lay_out(
    owned: list[Any],
    others: list[Any],
    added: list[Any],
) -> None:
    """Positions for one list of siblings: `owned` in the file's order after the `others` (which
    keep theirs), then `added` last. Spread afresh rather than taken from the file, so equal
    source positions still give distinct places in the file's order."""
    top = max((item.position for item in others), default=0.0)
    for item in [*owned, *added]:
        top += GAP
        if item.position != top:
            item.position = top
