"""Migrations go up and down cleanly on each backend, and match the models."""

from __future__ import annotations

import asyncio
import os
import tempfile

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import insert, inspect, text

from tests.servers import create_postgres_database, drop_postgres_database, sqlite_url
from toolbox.board.models import Board, BoardColumn, Card
from toolbox.db import ModelBase, create_engine
from toolbox.schema import downgrade, include_name, upgrade

POSTGRES_URL = os.environ.get("TOOLBOX_TEST_POSTGRES_URL", "")


async def tables_and_diff(url: str) -> tuple[set[str], list[object]]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:

            def read(sync_connection):  # type: ignore[no-untyped-def]
                tables = set(inspect(sync_connection).get_table_names())
                diff = compare_metadata(
                    MigrationContext.configure(
                        sync_connection, opts={"include_name": include_name}
                    ),
                    ModelBase.metadata,
                )
                return tables, diff

            return await connection.run_sync(read)
    finally:
        await engine.dispose()


async def check_round_trip(url: str) -> None:
    await asyncio.to_thread(upgrade, url)
    tables, diff = await tables_and_diff(url)
    assert {"boards", "cards", "columns", "board_events", "users", "memberships"} <= tables
    assert diff == [], f"the models and the migrations disagree: {diff}"
    await asyncio.to_thread(downgrade, url, "base")
    tables, _diff = await tables_and_diff(url)
    assert tables <= {"alembic_version"}
    await asyncio.to_thread(upgrade, url)


INDEXED = {
    "sqlite": "SELECT rowid FROM card_search WHERE card_search MATCH '\"economie\"*'",
    "postgresql": "SELECT card_id FROM card_search"
    " WHERE document @@ to_tsquery('toolbox_search', 'economie:*')",
}


async def check_cards_written_before_are_indexed(url: str) -> None:
    """The search index's revision indexes the cards already there."""
    await asyncio.to_thread(upgrade, url, "0100")
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(insert(Board.__table__).values(id=1, slug="b", title="B"))
            await connection.execute(
                insert(BoardColumn.__table__).values(id=1, board_id=1, title="C", position=1)
            )
            await connection.execute(
                insert(Card.__table__).values(
                    id=7, board_id=1, column_id=1, title="L’Économie", position=1
                )
            )
        await asyncio.to_thread(upgrade, url)
        async with engine.connect() as connection:
            found = await connection.scalars(text(INDEXED[connection.dialect.name]))
            assert list(found) == [7]
            # 0104 counts no useful mark on a card written before it, and drops its column
            # without touching the index's triggers (an edit is still indexed).
            assert await connection.scalar(text("SELECT useful FROM cards WHERE id = 7")) == 0
        await asyncio.to_thread(downgrade, url, "0103")
        async with engine.begin() as connection:
            await connection.execute(text("UPDATE cards SET title = 'Lexique' WHERE id = 7"))
            found = await connection.scalars(text(INDEXED[connection.dialect.name]))
            assert list(found) == []
    finally:
        await engine.dispose()
    await asyncio.to_thread(downgrade, url, "base")


async def check_search_index_has_no_pending_list(url: str) -> None:
    """0107: PostgreSQL's search index takes each write at once (no GIN pending list), and
    takes it back to the default when downgraded; 0108 indexes by board and words, with the
    same option, and gives back the index of words alone when downgraded."""
    query = "SELECT reloptions FROM pg_class WHERE relname = :name"
    options = text(query).bindparams(name="ix_card_search_document")
    by_board = text(query).bindparams(name="ix_card_search_board_document")
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            assert await connection.scalar(by_board) == ["fastupdate=off"]
            assert await connection.scalar(options) is None  # no such index any more
        await asyncio.to_thread(downgrade, url, "0107")
        async with engine.connect() as connection:
            assert await connection.scalar(options) == ["fastupdate=off"]
            assert await connection.scalar(by_board) is None
        await asyncio.to_thread(downgrade, url, "0106")
        async with engine.connect() as connection:
            assert (await connection.execute(options)).one()[0] is None  # there, by default
        await asyncio.to_thread(upgrade, url)
    finally:
        await engine.dispose()


async def test_sqlite_upgrade_downgrade_upgrade() -> None:
    with tempfile.TemporaryDirectory() as directory:
        await check_round_trip(sqlite_url(directory))
    with tempfile.TemporaryDirectory() as directory:
        await check_cards_written_before_are_indexed(sqlite_url(directory))


@pytest.mark.postgres
async def test_postgres_upgrade_downgrade_upgrade() -> None:
    if not POSTGRES_URL:
        pytest.skip("set TOOLBOX_TEST_POSTGRES_URL to run on PostgreSQL")
    url, name = await create_postgres_database(POSTGRES_URL)
    try:
        await check_round_trip(url)
        await check_search_index_has_no_pending_list(url)
        await asyncio.to_thread(downgrade, url, "base")
        await check_cards_written_before_are_indexed(url)
    finally:
        await drop_postgres_database(POSTGRES_URL, name)
