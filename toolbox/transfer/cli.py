"""`toolbox import trello|csv|json` and `toolbox export` (DESIGN.md §6).

The command line speaks for the admin. A file is read and checked whole before the database is
opened; the import is one transaction, so a failure leaves nothing behind. Progress goes to
standard error, so `toolbox export` can write to standard output.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from toolbox.accounts.models import User
from toolbox.accounts.services import user_by_email
from toolbox.board.models import Board
from toolbox.cli_support import cli_settings, run_async
from toolbox.db import Database
from toolbox.errors import DomainError
from toolbox.transfer.backup import check_backup, consistent_snapshot, export_backup, restore_backup
from toolbox.transfer.csv_io import read_csv, write_csv
from toolbox.transfer.files import load_json, read_file
from toolbox.transfer.importer import import_plan
from toolbox.transfer.plan import Progress as ProgressCallback
from toolbox.transfer.report import ImportReport
from toolbox.transfer.trello import plan_from_trello
from toolbox.transfer.trello_format import parse_trello
from toolbox.transfer.writer import apply_plan

T = TypeVar("T")
FILE = click.Path(path_type=Path, dir_okay=False)


def _checked(read: Callable[[], T]) -> T:
    """Read and check a file; its problems become the command's error message."""
    try:
        return read()
    except DomainError as error:
        raise click.ClickException(error.message) from None


@contextmanager
def _progress_bar(description: str) -> Iterator[ProgressCallback]:
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
    ) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _database_run(work: Callable[[Database], Awaitable[T]]) -> T:
    try:
        return run_async(work)
    except SQLAlchemyError as error:
        raise click.ClickException(
            f"The database refused the import, and nothing was written: {error}"
        ) from None


async def _board(session: AsyncSession, slug: str) -> Board | None:
    return await session.scalar(select(Board).where(Board.slug == slug))


async def _person(session: AsyncSession, email: str | None) -> User | None:
    if email is None:
        return None
    person = await user_by_email(session, email)
    if person is None:
        raise click.ClickException(f"No account has the e-mail {email}.")
    return person


def _echo_report(report: ImportReport) -> None:
    click.echo("\n".join(report.lines()))


@click.group("import")
def import_group() -> None:
    """Bring a board in: a Trello export, a CSV file of cards, or a backup."""


@import_group.command("trello")
@click.argument("file", type=FILE)
@click.option(
    "--board",
    "slug",
    default=None,
    help="Import into this board (made if there is none). Without it: into the board made from "
    "this Trello board before, or a new one.",
)
@click.option("--facilitator", "facilitator_email", default=None, help="E-mail of a facilitator.")
def import_trello(file: Path, slug: str | None, facilitator_email: str | None) -> None:
    """Import a Trello board export (JSON). Importing it again updates what it made."""
    timezone = cli_settings().timezone
    plan = _checked(lambda: plan_from_trello(parse_trello(load_json(read_file(file)))))

    async def work(database: Database) -> ImportReport:
        with _progress_bar(file.name) as progress:
            async with database.write() as session:
                into = await _board(session, slug) if slug else None
                return await import_plan(
                    session,
                    plan,
                    into=into,
                    slug=slug if into is None else None,
                    facilitator=await _person(session, facilitator_email),
                    timezone=timezone,
                    progress=progress,
                )

    _echo_report(_database_run(work))


@import_group.command("csv")
@click.argument("file", type=FILE)
@click.option("--board", "slug", required=True, help="The board the cards go into.")
def import_csv(file: Path, slug: str) -> None:
    """Import cards from a CSV file (header: column,title,url,description,kind,languages,labels).

    Columns are found by title, or added. Every row is checked first: if one is wrong, nothing
    is imported and the wrong rows are listed with their line numbers.
    """
    plan = _checked(lambda: read_csv(read_file(file)))

    async def work(database: Database) -> ImportReport:
        with _progress_bar(file.name) as progress:
            async with database.write() as session:
                board = await _board(session, slug)
                if board is None:
                    raise click.ClickException(
                        f"There is no board {slug}: create it first with `toolbox board add`."
                    )
                return await apply_plan(session, plan, board, actor_id=None, progress=progress)

    _echo_report(_database_run(work))


@import_group.command("json")
@click.argument("file", type=FILE)
@click.option("--board", "slug", default=None, help="Restore under this short name instead.")
def import_json(file: Path, slug: str | None) -> None:
    """Restore a backup made by `toolbox export SLUG --format json`, as a new board."""
    backup = _checked(lambda: check_backup(load_json(read_file(file))))

    async def work(database: Database) -> str:
        async with database.write() as session:
            board = await restore_backup(session, backup, slug=slug)
            return board.slug

    restored = _database_run(work)
    counts = ", ".join(f"{count} {name}" for name, count in backup.counts.items())
    click.echo(f"Board {restored} restored: {counts}.")


@click.command("export")
@click.argument("slug")
@click.option(
    "--format",
    "kind",
    type=click.Choice(["json", "csv"]),
    default="json",
    show_default=True,
    help="json: a complete backup (`toolbox import json` restores it); csv: the open cards.",
)
@click.option("--output", "-o", type=FILE, default=None, help="Write here, not to the output.")
def export_board(slug: str, kind: str, output: Path | None) -> None:
    """Export the board SLUG."""

    async def work(database: Database) -> str:
        async with database.read() as session:
            await consistent_snapshot(session)
            board = await _board(session, slug)
            if board is None:
                raise click.ClickException(f"There is no board {slug}.")
            if kind == "csv":
                return await write_csv(session, board)
            document = await export_backup(session, board)
            return json.dumps(document, ensure_ascii=False, indent=2) + "\n"

    text = _database_run(work)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8", newline="")
