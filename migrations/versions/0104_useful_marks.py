"""useful marks: one per person and card, and the count on the card

Revision ID: 0104
Revises: 0103
Create Date: 2026-12-06 14:00:01

The count is a plain column added in place (ALTER TABLE … ADD COLUMN on both databases, no batch
copy of `cards`, so the search index's SQLite triggers stay; see 0101). No trigger reads it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0104"
down_revision: str | None = "0103"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "useful_marks",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["card_id"],
            ["cards.id"],
            name=op.f("fk_useful_marks_card_id_cards"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_useful_marks_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "card_id", name=op.f("pk_useful_marks")),
    )
    op.create_index(op.f("ix_useful_marks_card_id"), "useful_marks", ["card_id"], unique=False)
    op.add_column("cards", sa.Column("useful", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    op.drop_column("cards", "useful")
    op.drop_index(op.f("ix_useful_marks_card_id"), table_name="useful_marks")
    op.drop_table("useful_marks")
