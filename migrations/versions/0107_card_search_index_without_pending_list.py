"""card search index (PostgreSQL): written through at once, no pending list

Revision ID: 0107
Revises: 0106
Create Date: 2026-12-06 19:40:00

A GIN index takes new entries into an unsorted "pending list" by default (`fastupdate`), merged
into the index only by a VACUUM (autovacuum's, when it comes) or once the list passes
`gin_pending_list_limit` (4 MB). Until then every search reads that whole list: on a board of
10,000 cards just written, the search's median query spent more than half its time in the
database there. Cards are written a few at a time and read by every search of a room, so the
index now takes each write at once, and the list left from before is merged here.

SQLite's FTS5 has no such list (its segments are merged as it writes): nothing to do there.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0107"
down_revision: str | None = "0106"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER INDEX ix_card_search_document SET (fastupdate = off)")
        # Turning it off keeps what is already in the list there until a VACUUM.
        op.execute("SELECT gin_clean_pending_list('ix_card_search_document'::regclass)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER INDEX ix_card_search_document RESET (fastupdate)")
