"""What an import did: counts of what the file brought, and what had no place here."""

from __future__ import annotations

from dataclasses import dataclass, field

from toolbox.i18n import gettext as _
from toolbox.transfer.plan import ImportPlan


@dataclass
class ImportReport:
    board_id: int
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
