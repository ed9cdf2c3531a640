"""card search index (PostgreSQL) knows each card's board; cards archived found by board

Revision ID: 0108
Revises: 0107
Create Date: 2026-12-06 22:30:00

A search typed on a big board matches hundreds of its cards ("numérique", "stratégie"), and
the page shows the best fifty and how many there are. To say which are the best and how many,
PostgreSQL looked every match up in `cards` (its board, whether it is archived, its column)
before ranking: one index lookup per match, most of a broad query's time. With the board in
the index's own rows, the matches are ranked and counted there, and only the fifty shown are
read from `cards` (toolbox/board/search.py); the few cards a board hides (archived, or in an
archived column) are set aside by the new partial index below, on both databases. The index
itself is by board and words, so that another board's cards are not even looked at.

A card never changes board; `board_id` is still among the columns whose change re-indexes it,
so that the index could not disagree with `cards` if one ever did.
"""

from __future__ import annotations

# ruff: noqa: S608 - the SQL below is assembled from this file's constants, never from input.
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0108"
down_revision: str | None = "0107"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ARCHIVED = "archived_at IS NOT NULL"


def _refresh(with_board: bool) -> str:
    """`card_search_refresh` as 0101 made it, or with the card's board written beside its
    words (the function is replaced whole; one text for both, so they differ only there)."""
    board_column, board_value = (" board_id,", " c.board_id,") if with_board else ("", "")
    board_update = " board_id = excluded.board_id," if with_board else ""
    return f"""CREATE OR REPLACE FUNCTION card_search_refresh(card_ids integer[]) RETURNS void
    LANGUAGE sql AS $$
    INSERT INTO card_search (card_id,{board_column} document)
    SELECT c.id,{board_value}
        setweight(card_search_words(c.title), 'A')
        || setweight(card_search_words(
            (SELECT string_agg(l.name, ' ') FROM card_labels AS cl
             JOIN labels AS l ON l.id = cl.label_id WHERE cl.card_id = c.id)), 'B')
        || setweight(card_search_words(concat_ws(' ', c.description, c.source,
            (SELECT string_agg(a, ' ') FROM json_array_elements_text(
                CASE WHEN json_typeof(c.audiences) = 'array' THEN c.audiences
                     ELSE '[]'::json END) AS a))), 'C')
    FROM cards AS c WHERE c.id = ANY (card_ids)
    ON CONFLICT (card_id) DO UPDATE SET{board_update} document = excluded.document
$$"""


def _card_changed_trigger(columns: str) -> list[str]:
    return [
        "DROP TRIGGER card_search_card_changed ON cards",
        f"""CREATE TRIGGER card_search_card_changed AFTER UPDATE OF {columns} ON cards
            FOR EACH ROW EXECUTE FUNCTION card_search_card_changed()""",
    ]


def upgrade() -> None:
    op.create_index(
        "ix_cards_archived",
        "cards",
        ["board_id"],
        postgresql_where=sa.text(ARCHIVED),
        sqlite_where=sa.text(ARCHIVED),
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE card_search ADD COLUMN board_id integer")
    op.execute("UPDATE card_search SET board_id = c.board_id FROM cards AS c WHERE c.id = card_id")
    op.execute("ALTER TABLE card_search ALTER COLUMN board_id SET NOT NULL")
    # The board in the index too (btree_gin, a contrib module like unaccent): a word that many
    # cards of *other* boards hold is then not fetched row by row to be set aside.
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    op.execute(
        "CREATE INDEX ix_card_search_board_document ON card_search"
        " USING gin (board_id, document) WITH (fastupdate = off)"
    )
    op.execute("DROP INDEX ix_card_search_document")
    op.execute(_refresh(with_board=True))
    for statement in _card_changed_trigger("title, description, source, audiences, board_id"):
        op.execute(statement)
    op.execute("ANALYZE card_search")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in _card_changed_trigger("title, description, source, audiences"):
            op.execute(statement)
        op.execute(_refresh(with_board=False))
        op.execute(
            "CREATE INDEX ix_card_search_document ON card_search"
            " USING gin (document) WITH (fastupdate = off)"
        )
        op.execute("DROP INDEX ix_card_search_board_document")
        # Made by this revision's upgrade, so taken away by its downgrade (as 0101's unaccent).
        op.execute("DROP EXTENSION IF EXISTS btree_gin")
        op.execute("ALTER TABLE card_search DROP COLUMN board_id")
    op.drop_index("ix_cards_archived", table_name="cards")
