"""What the `toolbox` commands share, below them: the settings, and one piece of async work run
against the configured database.

Here rather than in `toolbox.cli`, which imports the app (`serve`) and registers every command:
a package's own commands (`toolbox.transfer.cli`) import this, so that they, and the domain
they belong to, never reach the web app or the live transport through the command line.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import click

from toolbox.db import Database
from toolbox.errors import DomainError
from toolbox.settings import Settings, SettingsError

T = TypeVar("T")


def cli_settings() -> Settings:
    """The settings from the environment; a wrong one is the command's error message."""
    try:
        return Settings.from_env()
    except SettingsError as error:
        raise click.ClickException(str(error)) from None


def run_async(work: Callable[[Database], Awaitable[T]]) -> T:
    """Run one piece of async work against the configured database, with errors as sentences."""

    async def main() -> T:
        settings = cli_settings()
        db = Database(
            settings.database_url,
            sqlite_inline=settings.sqlite_inline,
            pool_size=settings.database_pool_size,
        )
        try:
            return await work(db)
        finally:
            await db.dispose()

    try:
        return asyncio.run(main())
    except DomainError as error:
        raise click.ClickException(error.message) from None
