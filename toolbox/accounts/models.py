from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from toolbox.db import ModelBase, UTCDateTime, utcnow


class User(ModelBase):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255), default=None)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    locale: Mapped[str | None] = mapped_column(String(10), default=None)
    #: Changing it revokes the person's calendar feed link (derived from it and the secret key).
    calendar_salt: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: When the person opened the link mailed to them on registering; until then they may not
    #: book or suggest (`toolbox.board.access`). Set at creation for everyone else (an
    #: invitation, the command line, the demo: someone vouched for the address).
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    @property
    def display_name(self) -> str:
        return self.name or self.email.split("@", 1)[0]

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None


class LoginSession(ModelBase):
    """A server-side session: the cookie holds a random token, we keep only its hash."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class ApiToken(ModelBase):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    #: To the minute at best: written at most once a minute per token and process
    #: (`toolbox.accounts.services.Identities`), not once per request.
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class OneTimeToken(ModelBase):
    """A link mailed to someone, good once and for a while: confirming an address, resetting a
    password. The mail holds the token; we keep only its hash."""

    __tablename__ = "one_time_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: "confirm" or "reset" (`toolbox.accounts.onetime.Purpose`): a link opens only its own door.
    purpose: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
