"""Migrating the database schema with Alembic, configured here rather than in an alembic.ini."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

#: The search index (migrations/versions/0101): an FTS5 table and its shadow tables on SQLite, a
#: table of tsvectors on PostgreSQL. The models do not declare it (the ORM never writes it:
#: triggers do), so comparing the models with the database must not see it.
SEARCH_INDEX = "card_search"


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic's `include_name` hook: everything but the search index and its parts."""
    if type_ in ("table", "index") and name:
        return not (name == SEARCH_INDEX or name.startswith(f"{SEARCH_INDEX}_"))
    return True


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)
