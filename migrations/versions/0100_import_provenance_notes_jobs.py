"""import provenance, history notes, import jobs

Revision ID: 0100
Revises: 0002
Create Date: 2026-11-22 03:46:41.644731
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0100"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "board_origins",
        sa.Column("board_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["board_id"],
            ["boards.id"],
            name=op.f("fk_board_origins_board_id_boards"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("board_id", name=op.f("pk_board_origins")),
        sa.UniqueConstraint(
            "source", "external_id", name=op.f("uq_board_origins_source_external_id")
        ),
    )
    op.create_table(
        "external_ids",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("board_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=False),
        sa.Column("local_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["board_id"],
            ["boards.id"],
            name=op.f("fk_external_ids_board_id_boards"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_external_ids")),
        sa.UniqueConstraint(
            "board_id",
            "source",
            "kind",
            "external_id",
            name=op.f("uq_external_ids_board_id_source_kind_external_id"),
        ),
    )
    op.create_table(
        "import_jobs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("board_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column(
            "status",
            sa.Enum("running", "done", "failed", name="jobstatus", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("result_board_id", sa.Integer(), nullable=True),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["board_id"],
            ["boards.id"],
            name=op.f("fk_import_jobs_board_id_boards"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["result_board_id"],
            ["boards.id"],
            name=op.f("fk_import_jobs_result_board_id_boards"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_import_jobs_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_jobs")),
    )
    with op.batch_alter_table("import_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_jobs_board_id"), ["board_id"], unique=False)

    op.create_table(
        "history_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("board_id", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=True),
        sa.Column("author", sa.String(length=120), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["board_id"],
            ["boards.id"],
            name=op.f("fk_history_notes_board_id_boards"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["card_id"],
            ["cards.id"],
            name=op.f("fk_history_notes_card_id_cards"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_history_notes")),
        sa.UniqueConstraint(
            "board_id", "external_id", name=op.f("uq_history_notes_board_id_external_id")
        ),
    )
    with op.batch_alter_table("history_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_history_notes_card_id"), ["card_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("history_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_history_notes_card_id"))

    op.drop_table("history_notes")
    with op.batch_alter_table("import_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_jobs_board_id"))

    op.drop_table("import_jobs")
    op.drop_table("external_ids")
    op.drop_table("board_origins")
