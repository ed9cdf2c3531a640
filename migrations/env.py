"""Alembic environment: async engines, batch mode for SQLite, the app's metadata."""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy.engine import Connection

import toolbox.models  # noqa: F401 - registers every table on the metadata
from toolbox.db import ModelBase, create_engine
from toolbox.schema import include_name
from toolbox.settings import DEFAULT_DATABASE_URL

config = context.config
target_metadata = ModelBase.metadata


def database_url() -> str:
    url = config.attributes.get("database_url")
    return str(url or os.environ.get("TOOLBOX_DATABASE_URL", DEFAULT_DATABASE_URL))


def run_with(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_online() -> None:
    engine = create_engine(database_url())
    async with engine.connect() as connection:
        await connection.run_sync(run_with)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=database_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(run_online())
