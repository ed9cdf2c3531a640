"""Settings, read once from the environment (DESIGN.md §6 is the contract)."""

from __future__ import annotations

import os
import secrets
import socket
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from toolbox.board_clock import TRUST_SECONDS
from toolbox.db import POSTGRES_POOL_SIZE

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./toolbox.db"
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
SECRET_KEY_FILE = Path(".toolbox-secret")


class SettingsError(RuntimeError):
    """A setting is missing or wrong; the message says which and how to fix it."""


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    broadcast_url: str = "memory://"
    secret_key: str = ""
    base_url: str = DEFAULT_BASE_URL
    smtp_url: str | None = None
    timezone: str = "America/Toronto"
    default_locale: str = "fr_CA"
    env: str = "development"
    trusted_proxies: frozenset[str] = frozenset()
    #: An operator knob, not in DESIGN.md's table: SQLite on the event loop's thread
    #: (toolbox.sqlite_inline), or, with TOOLBOX_SQLITE_INLINE=0, the stock aiosqlite driver.
    sqlite_inline: bool = True
    #: Another operator knob: PostgreSQL connections per process (toolbox.db.create_engine).
    database_pool_size: int = POSTGRES_POOL_SIZE
    #: Another: how long a board's seq heard on the bus is believed before the database is asked
    #: again (toolbox.board_clock): the longest a change that no bus carried (the command line
    #: beside a server on memory://) takes to reach a page.
    seq_trust_seconds: float = TRUST_SECONDS

    @property
    def production(self) -> bool:
        return self.env == "production"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        mode = env.get("TOOLBOX_ENV", "development")
        if mode not in {"development", "production"}:
            raise SettingsError(f"TOOLBOX_ENV must be 'development' or 'production', not {mode!r}")
        secret = env.get("TOOLBOX_SECRET_KEY", "")
        if not secret:
            if mode == "production":
                raise SettingsError("TOOLBOX_SECRET_KEY is required when TOOLBOX_ENV=production")
            secret = _development_secret()
        timezone = env.get("TOOLBOX_TIMEZONE", "America/Toronto")
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise SettingsError(
                f"TOOLBOX_TIMEZONE {timezone!r} is not a known time zone"
            ) from error
        locale = env.get("TOOLBOX_DEFAULT_LOCALE", "fr_CA")
        if locale not in {"fr_CA", "en"}:
            raise SettingsError(f"TOOLBOX_DEFAULT_LOCALE must be fr_CA or en, not {locale!r}")
        proxies = env.get("TOOLBOX_TRUSTED_PROXIES", "")
        inline = env.get("TOOLBOX_SQLITE_INLINE", "1").strip().lower()
        if inline not in {"1", "0", "true", "false", "yes", "no", "on", "off"}:
            raise SettingsError(f"TOOLBOX_SQLITE_INLINE must be 1 or 0, not {inline!r}")
        pool_size = env.get("TOOLBOX_DATABASE_POOL_SIZE", str(POSTGRES_POOL_SIZE)).strip()
        if not pool_size.isdigit() or not 1 <= int(pool_size) <= 100:
            raise SettingsError(
                f"TOOLBOX_DATABASE_POOL_SIZE must be a number from 1 to 100, not {pool_size!r}"
            )
        trust = env.get("TOOLBOX_SEQ_TRUST_SECONDS", str(TRUST_SECONDS)).strip()
        try:
            trust_seconds = float(trust)
        except ValueError:
            trust_seconds = -1.0
        if not 0 <= trust_seconds <= 3600:
            raise SettingsError(
                f"TOOLBOX_SEQ_TRUST_SECONDS must be from 0 to 3600 seconds, not {trust!r}"
            )
        return cls(
            database_url=env.get("TOOLBOX_DATABASE_URL", DEFAULT_DATABASE_URL),
            broadcast_url=env.get("TOOLBOX_BROADCAST_URL", "memory://"),
            secret_key=secret,
            base_url=env.get("TOOLBOX_BASE_URL", DEFAULT_BASE_URL).rstrip("/"),
            smtp_url=env.get("TOOLBOX_SMTP_URL") or None,
            timezone=timezone,
            default_locale=locale,
            env=mode,
            trusted_proxies=frozenset(p.strip() for p in proxies.split(",") if p.strip()),
            sqlite_inline=inline in {"1", "true", "yes", "on"},
            database_pool_size=int(pool_size),
            seq_trust_seconds=trust_seconds,
        )


def listening_url(host: str, port: int) -> str:
    """The address a server bound to `host`:`port` answers on, for absolute links when
    TOOLBOX_BASE_URL is unset. A wildcard bind (0.0.0.0, ::) is reached by the machine's name,
    never by the wildcard itself, which no browser can open."""
    if host in {"", "0.0.0.0", "::"}:  # noqa: S104 - a bind address read, not one bound
        host = socket.getfqdn() or "localhost"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address in a URL
    return f"http://{host}:{port}"


def _development_secret() -> str:
    """A key kept in a local file, so sessions survive a restart on a developer's laptop."""
    if SECRET_KEY_FILE.exists():
        return SECRET_KEY_FILE.read_text().strip()
    key = secrets.token_urlsafe(48)
    SECRET_KEY_FILE.write_text(key + "\n")
    SECRET_KEY_FILE.chmod(0o600)
    return key
