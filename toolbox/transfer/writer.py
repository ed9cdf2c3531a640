"""Writing an import plan into a board, in the caller's one transaction, with one board event.

Things that came with an external id (a Trello list, card, label, comment) are found again by it,
so importing the same file twice updates what the first import made and adds nothing. Things
without one (CSV rows) are added; their columns are found by title.

Imported columns and cards are laid out in the file's order after the ones the board had already
(made here by hand), which keep their places.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from toolbox.board.models import Board, BoardColumn, Card, Kind, Label
from toolbox.board.positions import GAP
from toolbox.board.schemas import LABEL_COLOURS
from toolbox.db import utcnow
from toolbox.events.log import lock_board, record_event
from toolbox.events.types import BoardImported
from toolbox.transfer.models import ExternalId, HistoryNote
from toolbox.transfer.plan import ImportPlan, PlannedCard, PlannedColumn, Progress, no_progress
from toolbox.transfer.report import ImportReport, plan_counts

# Flush this often while writing many rows, so the progress shown follows the database's work.
BATCH = 250


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
        BoardImported(
            source=plan.source,
            columns=counts["columns"],
            cards=counts["cards"],
            labels=counts["labels"],
        ),
        actor_id=actor_id,
    )
    return ImportReport(
        board_id=board.id,
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
        existing: dict[str | None, HistoryNote | None] = {
            note.external_id: note
            for note in await self.session.scalars(
                select(HistoryNote).where(
                    HistoryNote.board_id == self.board.id, HistoryNote.external_id.is_not(None)
                )
            )
        }
        new: list[dict[str, Any]] = []
        for planned in self.plan.notes:
            card = self.cards_by_external_id.get(planned.card_external_id)
            external_id = f"{self.plan.source}:{planned.external_id}"
            fields = {
                "card_id": card.id if card else None,
                "author": planned.author[:120],
                "body": planned.body,
                "at": planned.at,
            }
            note = existing.get(external_id)
            if card is not None and note is not None:
                for name, value in fields.items():
                    setattr(note, name, value)
            elif card is not None and external_id not in existing:  # not a repeat in the file
                new.append({"board_id": self.board.id, "external_id": external_id, **fields})
                existing[external_id] = None
            self.step()
            if len(new) == BATCH:
                await self._insert(HistoryNote, new)
        await self._insert(HistoryNote, new)

    async def _insert(self, model: type[HistoryNote] | type[ExternalId], rows: list[Any]) -> None:
        """Many rows whose ids nobody needs, in one statement: on SQLite the ORM would send one
        INSERT … RETURNING per row, a thousand round trips for a thousand comments."""
        if rows:
            await self.session.execute(insert(model), rows)
            rows.clear()

    async def links(self) -> None:
        """Remember the external id of everything this import made or found, for the next."""
        new: dict[tuple[str, str], dict[str, Any]] = {}
        for kind, external_id, item in self.made:
            row = self.known.get((kind, external_id))
            if row is None:
                new[(kind, external_id)] = {
                    "board_id": self.board.id,
                    "source": self.plan.source,
                    "kind": kind,
                    "external_id": external_id,
                    "local_id": item.id,
                }
            elif row.local_id != item.id:
                row.local_id = item.id
        await self._insert(ExternalId, list(new.values()))
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
