"""card search index: SQLite FTS5, PostgreSQL tsvector, kept by triggers

Revision ID: 0101
Revises: 0100
Create Date: 2026-12-04 18:50:00

Both databases get a `card_search` index outside the models (toolbox/schema.py tells Alembic to
leave it alone), filled from the existing cards here and kept by triggers afterwards. Triggers,
not the services, because a card is written by the card services, the import, the backup
restore and the demo loader: the index is then right in the very transaction of the write,
whatever wrote it.

What both indexes hold is the same on purpose: words, lowercased, without accents, *not*
stemmed. PostgreSQL has French and English stemmers but SQLite has only an English one (porter),
and a French one would be a C extension loaded into every connection; stemmed on one side only,
the two databases would answer differently. So the plural rule lives in one place, applied to
the words typed (toolbox/board/search.py), and every word is matched as a prefix: "outils" is
looked for as "outil*", which finds "outil" and "outils" on both. A stemmer would also fight the
prefix matching of what is being typed ("évalu" is not a prefix of every stem of "évaluation").

Careful with batch mode on SQLite: a later `batch_alter_table` on cards, labels or card_labels
copies the table and drops its triggers; such a revision must create them again (see
`sqlite_triggers`).
"""

from __future__ import annotations

# ruff: noqa: S608 - the SQL below is assembled from this file's constants, never from input.
from collections.abc import Sequence

from alembic import op

revision: str = "0101"
down_revision: str | None = "0100"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# --- SQLite: an FTS5 table of its own (title, labels, body), rowid = the card's id ------------
# A regular FTS5 table, storing its text: an external-content table would need a table with the
# labels and the body as columns, and a contentless one must be told the old text to forget a
# row (contentless_delete needs SQLite 3.43; Debian 12 has 3.40). The copy costs some disk, not
# time.
# `remove_diacritics 2` folds every accent ("é" → "e", also on decomposed text); the ligatures it
# keeps are folded here the way PostgreSQL's unaccent and the search words fold them ("cœur" →
# "coeur"). The prefix index makes the "strat*" of what is being typed cheap.
SQLITE_TABLE = """
CREATE VIRTUAL TABLE card_search USING fts5(
    title, labels, body,
    tokenize = "unicode61 remove_diacritics 2",
    prefix = '2 3'
)
"""


def _sqlite_fold(expression: str) -> str:
    for ligature, letters in (("œ", "oe"), ("Œ", "OE"), ("æ", "ae"), ("Æ", "AE"), ("ß", "ss")):
        expression = f"replace({expression}, '{ligature}', '{letters}')"
    return expression


def _sqlite_labels(card_id: str) -> str:
    return _sqlite_fold(
        "coalesce((SELECT group_concat(l.name, ' ') FROM card_labels AS cl"
        f" JOIN labels AS l ON l.id = cl.label_id WHERE cl.card_id = {card_id}), '')"
    )


def _sqlite_body(card: str) -> str:
    audiences = f"(SELECT group_concat(value, ' ') FROM json_each({card}.audiences))"
    return _sqlite_fold(
        f"coalesce({card}.description, '') || ' ' || coalesce({card}.source, '')"
        f" || ' ' || coalesce({audiences}, '')"
    )


def sqlite_triggers() -> list[str]:
    title = _sqlite_fold("new.title")
    return [
        f"""CREATE TRIGGER card_search_card_added AFTER INSERT ON cards BEGIN
            INSERT INTO card_search (rowid, title, labels, body)
            VALUES (new.id, {title}, {_sqlite_labels("new.id")}, {_sqlite_body("new")});
        END""",
        f"""CREATE TRIGGER card_search_card_changed
            AFTER UPDATE OF title, description, source, audiences ON cards BEGIN
            UPDATE card_search SET title = {title}, body = {_sqlite_body("new")}
            WHERE rowid = new.id;
        END""",
        """CREATE TRIGGER card_search_card_removed AFTER DELETE ON cards BEGIN
            DELETE FROM card_search WHERE rowid = old.id;
        END""",
        f"""CREATE TRIGGER card_search_label_added AFTER INSERT ON card_labels BEGIN
            UPDATE card_search SET labels = {_sqlite_labels("new.card_id")}
            WHERE rowid = new.card_id;
        END""",
        f"""CREATE TRIGGER card_search_label_removed AFTER DELETE ON card_labels BEGIN
            UPDATE card_search SET labels = {_sqlite_labels("old.card_id")}
            WHERE rowid = old.card_id;
        END""",
        f"""CREATE TRIGGER card_search_label_renamed AFTER UPDATE OF name ON labels BEGIN
            UPDATE card_search SET labels = {_sqlite_labels("card_search.rowid")}
            WHERE rowid IN (SELECT card_id FROM card_labels WHERE label_id = new.id);
        END""",
    ]


SQLITE_TRIGGERS = (
    "card_search_card_added",
    "card_search_card_changed",
    "card_search_card_removed",
    "card_search_label_added",
    "card_search_label_removed",
    "card_search_label_renamed",
)


def sqlite_fill() -> str:
    return (
        "INSERT INTO card_search (rowid, title, labels, body) SELECT c.id, "
        f"{_sqlite_fold('c.title')}, {_sqlite_labels('c.id')}, {_sqlite_body('c')} FROM cards AS c"
    )


# --- PostgreSQL: a tsvector per card in a table of its own, weighted A (title), B (labels),
# C (body). `unaccent()` the function is not IMMUTABLE, but the unaccent *dictionary* in a text
# search configuration needs no wrapper: `toolbox_search` is `simple` (lowercase, no stemming,
# no stop words: see the docstring) behind unaccent. Punctuation becomes spaces first, so that
# PostgreSQL's parser cuts "e-mail", "example.com/x" or "1.5" into the same words as FTS5's
# unicode61 does, instead of keeping them whole as a host, a path or a number.
POSTGRES_SETUP = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE TEXT SEARCH CONFIGURATION toolbox_search (COPY = simple)",
    """ALTER TEXT SEARCH CONFIGURATION toolbox_search
        ALTER MAPPING FOR asciiword, word, numword, asciihword, hword, numhword,
                          hword_asciipart, hword_part, hword_numpart
        WITH unaccent, simple""",
    """CREATE TABLE card_search (
        card_id integer PRIMARY KEY REFERENCES cards (id) ON DELETE CASCADE,
        document tsvector NOT NULL
    )""",
    "CREATE INDEX ix_card_search_document ON card_search USING gin (document)",
    """CREATE FUNCTION card_search_words(value text) RETURNS tsvector
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT to_tsvector('toolbox_search'::regconfig,
                           regexp_replace(coalesce(value, ''), '[[:punct:]]+', ' ', 'g'))
    $$""",
    # The cards named, all at once: a restore inserts hundreds of cards, then their labels, in a
    # few statements, and the statement-level triggers below index each statement's rows in one
    # pass. A card deleted meanwhile is no longer seen: nothing is inserted for it.
    """CREATE FUNCTION card_search_refresh(card_ids integer[]) RETURNS void LANGUAGE sql AS $$
        INSERT INTO card_search (card_id, document)
        SELECT c.id,
            setweight(card_search_words(c.title), 'A')
            || setweight(card_search_words(
                (SELECT string_agg(l.name, ' ') FROM card_labels AS cl
                 JOIN labels AS l ON l.id = cl.label_id WHERE cl.card_id = c.id)), 'B')
            || setweight(card_search_words(concat_ws(' ', c.description, c.source,
                (SELECT string_agg(a, ' ') FROM json_array_elements_text(
                    CASE WHEN json_typeof(c.audiences) = 'array' THEN c.audiences
                         ELSE '[]'::json END) AS a))), 'C')
        FROM cards AS c WHERE c.id = ANY (card_ids)
        ON CONFLICT (card_id) DO UPDATE SET document = excluded.document
    $$""",
    """CREATE FUNCTION card_search_cards_added() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM card_search_refresh(ARRAY(SELECT id FROM added)); RETURN NULL; END
    $$""",
    """CREATE TRIGGER card_search_cards_added AFTER INSERT ON cards
        REFERENCING NEW TABLE AS added
        FOR EACH STATEMENT EXECUTE FUNCTION card_search_cards_added()""",
    # Row by row for an edit: PostgreSQL allows no transition table on `UPDATE OF` a column
    # list, and without the list every move (a position) would index the card again.
    """CREATE FUNCTION card_search_card_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM card_search_refresh(ARRAY[NEW.id]); RETURN NULL; END
    $$""",
    """CREATE TRIGGER card_search_card_changed
        AFTER UPDATE OF title, description, source, audiences ON cards
        FOR EACH ROW EXECUTE FUNCTION card_search_card_changed()""",
    """CREATE FUNCTION card_search_labels_added() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM card_search_refresh(ARRAY(SELECT DISTINCT card_id FROM added));
            RETURN NULL;
        END
    $$""",
    """CREATE TRIGGER card_search_labels_added AFTER INSERT ON card_labels
        REFERENCING NEW TABLE AS added
        FOR EACH STATEMENT EXECUTE FUNCTION card_search_labels_added()""",
    """CREATE FUNCTION card_search_labels_removed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM card_search_refresh(ARRAY(SELECT DISTINCT card_id FROM removed));
            RETURN NULL;
        END
    $$""",
    """CREATE TRIGGER card_search_labels_removed AFTER DELETE ON card_labels
        REFERENCING OLD TABLE AS removed
        FOR EACH STATEMENT EXECUTE FUNCTION card_search_labels_removed()""",
    """CREATE FUNCTION card_search_label_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM card_search_refresh(
                ARRAY(SELECT card_id FROM card_labels WHERE label_id = NEW.id));
            RETURN NULL;
        END
    $$""",
    """CREATE TRIGGER card_search_label_renamed AFTER UPDATE OF name ON labels
        FOR EACH ROW EXECUTE FUNCTION card_search_label_renamed()""",
    "SELECT card_search_refresh(ARRAY(SELECT id FROM cards))",
    # So that the first searches are planned on the index's real size, not a guess.
    "ANALYZE card_search",
]

POSTGRES_TEARDOWN = [
    "DROP TRIGGER IF EXISTS card_search_label_renamed ON labels",
    "DROP TRIGGER IF EXISTS card_search_labels_removed ON card_labels",
    "DROP TRIGGER IF EXISTS card_search_labels_added ON card_labels",
    "DROP TRIGGER IF EXISTS card_search_card_changed ON cards",
    "DROP TRIGGER IF EXISTS card_search_cards_added ON cards",
    "DROP FUNCTION IF EXISTS card_search_label_renamed()",
    "DROP FUNCTION IF EXISTS card_search_labels_removed()",
    "DROP FUNCTION IF EXISTS card_search_labels_added()",
    "DROP FUNCTION IF EXISTS card_search_card_changed()",
    "DROP FUNCTION IF EXISTS card_search_cards_added()",
    "DROP TABLE IF EXISTS card_search",
    "DROP FUNCTION IF EXISTS card_search_refresh(integer[])",
    "DROP FUNCTION IF EXISTS card_search_words(text)",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS toolbox_search",
    # Made by this revision's upgrade, so taken away by its downgrade; a database that had it
    # before keeps it only if something else depends on it (then this fails loudly, as it should).
    "DROP EXTENSION IF EXISTS unaccent",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(SQLITE_TABLE)
        for trigger in sqlite_triggers():
            op.execute(trigger)
        op.execute(sqlite_fill())
    else:
        for statement in POSTGRES_SETUP:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS card_search")
    else:
        for statement in POSTGRES_TEARDOWN:
            op.execute(statement)
