"""The `toolbox` command line (DESIGN.md §6). Each command is a thin wrapper over a service."""

from __future__ import annotations

import os
import subprocess
import sys

import click

from toolbox import i18n
from toolbox.accounts.services import create_api_token, create_user, user_by_email
from toolbox.board.access import get_board
from toolbox.board.members import set_membership
from toolbox.board.models import Registration, Role, Visibility
from toolbox.board.schemas import BoardIn
from toolbox.board.services import create_board
from toolbox.cli_support import cli_settings, run_async
from toolbox.db import Database
from toolbox.errors import DomainError
from toolbox.settings import Settings, listening_url
from toolbox.transfer.cli import export_board, import_group
from toolbox.validation import parse_form


@click.group()
def main() -> None:
    """Toolbox (Coffre à outils): a live toolbox board for cultural digital accelerators."""
    # Messages from the services speak the deployment's language (TOOLBOX_DEFAULT_LOCALE).
    i18n.set_locale(cli_settings().default_locale)


# Websockets as the app serves them: no per-message compression (its buffers cost every idle
# client memory, and board updates are small) and 64 KiB messages at most.
WEBSOCKET_MAX_SIZE = 64 * 1024
# uvicorn's implementation on `wsproto`, chosen by measurement (bench/servers.py,
# docs/performance.md): the least memory per idle client of uvicorn's three, for the same CPU
# per message and the same pages per second; with the frame writer the hub's fan-out uses
# (toolbox.live.wire).
WEBSOCKET_IMPLEMENTATION = "toolbox.live.uvicorn_protocol:FrameWritingProtocol"


def uvicorn_command(host: str, port: int, *extra: str) -> list[str]:
    """`serve` as a separate process (tests, benchmarks): the same app and websocket options,
    and, as `serve` without TOOLBOX_TRUSTED_PROXIES, no `X-Forwarded-For` believed."""
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "toolbox.app:create_app",
        "--host",
        host,
        "--port",
        str(port),
        "--ws",
        WEBSOCKET_IMPLEMENTATION,
        "--ws-per-message-deflate",
        "false",
        "--ws-max-size",
        str(WEBSOCKET_MAX_SIZE),
        "--no-proxy-headers",
        *extra,
    ]


def stop_server(process: subprocess.Popen[bytes]) -> None:
    """Stop a server started with `uvicorn_command`: politely (it finishes its requests and its
    lifespan), then, after 10 s, by force."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def refuse_workers_without_sharing(settings: Settings, workers: int) -> None:
    """Several workers must share the database and the live updates: with a SQLite file each
    would queue on the others' writes, and with the memory bus each would see only the changes
    made through itself (DESIGN.md §5)."""
    missing = []
    if settings.database_url.startswith("sqlite"):
        missing.append("TOOLBOX_DATABASE_URL=postgresql+asyncpg://… (a PostgreSQL database)")
    if settings.broadcast_url.startswith("memory://"):
        missing.append("TOOLBOX_BROADCAST_URL=redis://host:6379/0 (a Redis bus)")
    if missing:
        raise click.ClickException(
            f"--workers {workers} needs processes that share their database and their live "
            "updates; set " + " and ".join(missing) + ", or serve with one worker."
        )


@main.command()
@click.option(
    "--host", default=lambda: os.environ.get("HOST", "127.0.0.1"), show_default="HOST or 127.0.0.1"
)
@click.option(
    "--port",
    type=int,
    default=lambda: int(os.environ.get("PORT", "8000")),
    show_default="PORT or 8000",
)
@click.option("--workers", type=int, default=1, show_default=True)
def serve(host: str, port: int, workers: int) -> None:
    """Serve the app over HTTP."""
    import uvicorn

    from toolbox.app import MissingAssets, check_assets

    if not os.environ.get("TOOLBOX_BASE_URL"):
        # Unset, the links in mail, calendars, feeds and QR codes point where this server
        # listens (DESIGN.md §6). Set in the environment, so every worker process reads it.
        os.environ["TOOLBOX_BASE_URL"] = listening_url(host, port)
    settings = cli_settings()
    if workers > 1:
        refuse_workers_without_sharing(settings, workers)
    try:
        check_assets()
    except MissingAssets as error:
        raise click.ClickException(str(error)) from None
    proxies = ",".join(sorted(settings.trusted_proxies))
    uvicorn.run(
        "toolbox.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies or None,
        ws=WEBSOCKET_IMPLEMENTATION,
        ws_per_message_deflate=False,
        ws_max_size=WEBSOCKET_MAX_SIZE,
        log_level="info",
    )


@main.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Migrate the database to the latest schema (or REVISION)."""
    from toolbox.schema import upgrade

    upgrade(cli_settings().database_url, revision)
    click.echo(f"Database at {revision}.")


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Migrate the database back to REVISION ("base" empties it)."""
    from toolbox.schema import downgrade

    downgrade(cli_settings().database_url, revision)
    click.echo(f"Database at {revision}.")


@main.command()
def demo() -> None:
    """Load the French demo board (once; a second run changes nothing)."""
    from toolbox.demo import DEMO_ACCOUNTS, load_demo

    settings = cli_settings()
    loaded = run_async(lambda database: load_demo(database, timezone=settings.timezone))
    if not loaded:
        click.echo("The demo board is already there.")
        return
    click.echo("Demo board loaded. Accounts:")
    for account in DEMO_ACCOUNTS:
        click.echo(f"  {account.email} / {account.password}")


@main.group()
def user() -> None:
    """People."""


@user.command("add")
@click.argument("email")
@click.option("--name", default="")
@click.option("--password", default=None, help="Asked for when omitted on a terminal.")
@click.option("--admin", is_flag=True, help="May create boards and manage every board.")
def user_add(email: str, name: str, password: str | None, admin: bool) -> None:
    """Create an account."""
    if password is None and sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)

    async def work(database: Database) -> None:
        async with database.write() as session:
            await create_user(session, email, name=name, password=password, is_admin=admin)

    run_async(work)
    click.echo(f"Account {email} created.")


@user.command("token")
@click.argument("email")
def user_token(email: str) -> None:
    """Print a new API token for EMAIL."""

    async def work(database: Database) -> str:
        async with database.write() as session:
            person = await user_by_email(session, email)
            if person is None:
                raise click.ClickException(f"No account has the e-mail {email}.")
            return await create_api_token(session, person, name="cli")

    click.echo(run_async(work))


@main.group()
def board() -> None:
    """Boards."""


@board.command("add")
@click.argument("slug")
@click.argument("title")
@click.option("--facilitator", "facilitator_email", default=None, help="E-mail of its facilitator.")
@click.option("--public", is_flag=True, help="Readable by anyone with the link.")
@click.option(
    "--open",
    "open_registration",
    is_flag=True,
    help="Anyone may register as a participant (/register/SLUG).",
)
def board_add(
    slug: str, title: str, facilitator_email: str | None, public: bool, open_registration: bool
) -> None:
    """Create a board."""
    settings = cli_settings()
    visibility = Visibility.public if public else Visibility.members
    data = parse_form(BoardIn, {"slug": slug, "title": title, "visibility": visibility})

    async def work(database: Database) -> None:
        async with database.write() as session:
            facilitator = None
            if facilitator_email:
                facilitator = await user_by_email(session, facilitator_email)
                if facilitator is None:
                    raise click.ClickException(f"No account has the e-mail {facilitator_email}.")
            await create_board(
                session,
                None,
                data,
                default_timezone=settings.timezone,
                facilitator=facilitator,
                registration=Registration.open if open_registration else Registration.invitation,
            )

    try:
        run_async(work)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Board {slug} created.")


@main.group()
def member() -> None:
    """Memberships."""


@member.command("add")
@click.argument("slug")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
def member_add(slug: str, email: str, role: str) -> None:
    """Give EMAIL a ROLE on the board SLUG."""

    async def work(database: Database) -> None:
        async with database.write() as session:
            person = await user_by_email(session, email)
            if person is None:
                raise click.ClickException(f"No account has the e-mail {email}.")
            await set_membership(session, await get_board(session, slug), person, Role(role))

    run_async(work)
    click.echo(f"{email} is now {role} on {slug}.")


main.add_command(import_group, "import")
main.add_command(export_board, "export")


if __name__ == "__main__":
    main()
