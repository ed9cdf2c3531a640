"""Accounts: people, sign-in sessions, API tokens and their language. Nothing about boards:
who is a member of which board, and invitations to join one, are `toolbox.board.members`."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import timedelta

from cachetools import TTLCache
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from toolbox.accounts.models import ApiToken, LoginSession, User
from toolbox.db import Database, utcnow
from toolbox.errors import Conflict, Invalid
from toolbox.i18n import LOCALES
from toolbox.i18n import gettext as _
from toolbox.principal import Actor, CredentialKind, Principal
from toolbox.security import hash_password, hash_token, new_token, verify_password

SESSION_LIFETIME = timedelta(days=30)
PASSWORD_MIN = 8
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if not EMAIL.match(email) or len(email) > 254:
        raise Invalid(_("This is not a valid e-mail address."), field="email")
    return email


async def user_by_email(session: AsyncSession, email: str) -> User | None:
    if "\x00" in email:  # no address holds one, and PostgreSQL fails on comparing it (a 500)
        return None
    return await session.scalar(select(User).where(User.email == email.strip().lower()))


async def create_user(
    session: AsyncSession,
    email: str,
    *,
    name: str = "",
    password: str | None = None,
    is_admin: bool = False,
    locale: str | None = None,
) -> User:
    email = normalise_email(email)
    if len(name) > 120:
        raise Invalid(
            _("This is too long (%(limit)s characters at most).", limit=120), field="name"
        )
    if password is not None and len(password) < PASSWORD_MIN:
        raise Invalid(
            _("The password must have at least %(count)s characters.", count=PASSWORD_MIN),
            field="password",
        )
    if locale is not None and locale not in LOCALES:
        raise Invalid(_("This value is not one of the choices."), field="locale")
    if await user_by_email(session, email) is not None:
        raise Conflict(_("Someone already has an account with this e-mail."), field="email")
    user = User(
        email=email,
        name=name.strip(),
        password_hash=hash_password(password) if password else None,
        is_admin=is_admin,
        locale=locale,
    )
    session.add(user)
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict(
            _("Someone already has an account with this e-mail."), field="email"
        ) from None
    return user


async def authenticate(session: AsyncSession, email: str, password: str) -> User | None:
    user = await user_by_email(session, email)
    if not verify_password(user.password_hash if user else None, password):
        return None
    return user


async def start_session(session: AsyncSession, user: Actor) -> str:
    """A new sign-in session; the returned token goes in the cookie and nowhere else."""
    token = new_token()
    session.add(
        LoginSession(
            token_hash=hash_token(token), user_id=user.id, expires_at=utcnow() + SESSION_LIFETIME
        )
    )
    await session.flush()
    return token


async def end_session(session: AsyncSession, token: str) -> None:
    await session.execute(
        update(LoginSession)
        .where(LoginSession.token_hash == hash_token(token), LoginSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


# Who is asking: the read every signed-in request makes first, in one Core statement on the
# engine (`Database.first_as`), built once (building a statement costs more than running it).
# The columns are named as the fields of `Principal`.
_PRINCIPAL = select(User.id, User.email, User.name, User.is_admin, User.locale, User.calendar_salt)
_PRINCIPAL_FOR_SESSION = _PRINCIPAL.join(LoginSession, LoginSession.user_id == User.id).where(
    LoginSession.token_hash == bindparam("token_hash"),
    LoginSession.revoked_at.is_(None),
    LoginSession.expires_at > bindparam("now"),
)
_PRINCIPAL_FOR_API_TOKEN = _PRINCIPAL.join(ApiToken, ApiToken.user_id == User.id).where(
    ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None)
)


async def principal_for_session(db: Database, token: str) -> Principal | None:
    """The person signed in with the session `token`, if it is live."""
    return await db.first_as(
        Principal, _PRINCIPAL_FOR_SESSION, {"token_hash": hash_token(token), "now": utcnow()}
    )


async def principal_for_api_token(db: Database, token: str) -> Principal | None:
    """The owner of the API `token`, unless it was revoked."""
    return await db.first_as(Principal, _PRINCIPAL_FOR_API_TOKEN, {"token_hash": hash_token(token)})


#: How long this process believes what the database said of a credential. A session ended
#: through the app stops working at once in every process (`Identities.forget` tells them over
#: the bus); one revoked where no bus reaches (the command line), within this time.
IDENTITY_SECONDS = 1.0


class Identities:
    """Who a credential belongs to, for the middleware and the websocket endpoint (the app
    hands it to them: they do not import accounts), kept `IDENTITY_SECONDS`: a room of signed-in
    phones asks once a second per person, not once per request."""

    def __init__(self, db: Database, seconds: float = IDENTITY_SECONDS) -> None:
        self._db = db
        # Keyed by the credential's hash, as the database keeps it: no secret held in memory.
        self._known: TTLCache[tuple[str, str], Principal | None] = TTLCache(
            maxsize=100_000, ttl=seconds
        )

    async def __call__(self, kind: CredentialKind, token: str) -> Principal | None:
        key = (kind, hash_token(token))
        if key in self._known:
            return self._known[key]
        if kind == "api_token":
            found = await principal_for_api_token(self._db, token)
        else:
            found = await principal_for_session(self._db, token)
        self._known[key] = found
        return found

    #: Tells every process that a credential ended (the app wires it to the bus's notices).
    announce: Callable[[CredentialKind, str], Awaitable[None]] | None = None

    async def forget(self, kind: CredentialKind, token: str) -> None:
        token_hash = hash_token(token)
        self.forget_hashed(kind, token_hash)
        if self.announce is not None:
            await self.announce(kind, token_hash)

    def forget_hashed(self, kind: CredentialKind, token_hash: str) -> None:
        self._known.pop((kind, token_hash), None)

    def forget_all(self) -> None:
        self._known.clear()


def identify_with(db: Database) -> Identities:
    """Who a credential belongs to, as the app asks it (see `Identities`)."""
    return Identities(db)


async def create_api_token(session: AsyncSession, user: Actor, name: str = "") -> str:
    token = new_token()
    session.add(ApiToken(token_hash=hash_token(token), user_id=user.id, name=name[:120]))
    await session.flush()
    return token


async def set_locale(session: AsyncSession, user: User, locale: str) -> None:
    if locale not in LOCALES:
        raise Invalid(_("This value is not one of the choices."), field="locale")
    user.locale = locale
