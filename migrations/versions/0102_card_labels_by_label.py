"""card_labels indexed by label: a board's labels joined to their cards without a scan

Revision ID: 0102
Revises: 0101
Create Date: 2026-12-06 14:40:00

The primary key (card_id, label_id) serves lookups by card; the board page reads a board's
labels with their cards (toolbox/board/tiles.py), and deleting a label cascades to its rows,
both by label: without this index each label scanned the whole table.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0102"
down_revision: str | None = "0101"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_card_labels_label_id", "card_labels", ["label_id"])


def downgrade() -> None:
    op.drop_index("ix_card_labels_label_id", table_name="card_labels")
