"""Accounts: people, sign-in sessions, API tokens and their language. Nothing about boards:
who is a member of which board, and invitations to join one, are `toolbox.board.members`."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from datetime import timedelta

from cachetools import TTLCache
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from toolbox.accounts import mails, onetime
from toolbox.accounts.models import ApiToken, LoginSession, User
from toolbox.db import Database, utcnow
from toolbox.errors import Conflict, Gone, Invalid, NotFound
from toolbox.i18n import LOCALES
from toolbox.i18n import gettext as _
from toolbox.principal import Actor, CredentialKind, Principal
from toolbox.security import hash_password, hash_token, new_token, verify_password

SESSION_LIFETIME = timedelta(days=30)
PASSWORD_MIN = 8
#: Hashing is the costly part of a sign-in: no need to hash a novel.
PASSWORD_MAX = 1000
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
    confirmed: bool = True,
    password_hash: str | None = None,
) -> User:
    """A new account. `confirmed`: someone vouched for the address (an invitation it was sent
    to, the command line, the demo); a self-registered account is created unconfirmed and may
    not book or suggest until its owner opens the link mailed to it (`confirm_email`).
    `password_hash`: the password already hashed (`hashed_password`), outside the transaction."""
    email = check_new_account(email, name=name, password=password)
    if locale is not None and locale not in LOCALES:
        raise Invalid(_("This value is not one of the choices."), field="locale")
    if await user_by_email(session, email) is not None:
        raise Conflict(_("Someone already has an account with this e-mail."), field="email")
    user = User(
        email=email,
        name=name.strip(),
        password_hash=password_hash or (hash_password(password) if password else None),
        is_admin=is_admin,
        locale=locale,
        email_confirmed_at=utcnow() if confirmed else None,
    )
    session.add(user)
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict(
            _("Someone already has an account with this e-mail."), field="email"
        ) from None
    return user


def check_new_account(email: str, *, name: str, password: str | None) -> str:
    """The normalised address, or the sentence saying what to fix: asked before anyone looks
    for an existing account, so that a form's answer is the same whether there is one."""
    email = normalise_email(email)
    if len(name) > 120:
        raise Invalid(
            _("This is too long (%(limit)s characters at most).", limit=120), field="name"
        )
    if password is not None:
        check_password(password)
    return email


async def hashed_password(password: str) -> str:
    """`password` checked and hashed, in a thread: hashing takes a good part of a second of a
    processor by design, which neither the event loop nor a write transaction (on SQLite, the
    one writer) should wait through."""
    check_password(password)
    return await asyncio.to_thread(hash_password, password)


def check_password(password: str) -> None:
    if len(password) < PASSWORD_MIN:
        raise Invalid(
            _("The password must have at least %(count)s characters.", count=PASSWORD_MIN),
            field="password",
        )
    if len(password) > PASSWORD_MAX:
        raise Invalid(
            _("This is too long (%(limit)s characters at most).", limit=PASSWORD_MAX),
            field="password",
        )


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
_PRINCIPAL = select(
    User.id,
    User.email,
    User.name,
    User.is_admin,
    User.locale,
    User.calendar_salt,
    User.email_confirmed_at.is_not(None).label("email_confirmed"),
)
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


#: An API token's last use is written down at most this often per process: once a minute
#: tells its owner all they need ("is this token still used?") without a write per request.
LAST_USE_SECONDS = 60.0


async def note_api_token_use(db: Database, token_hash: str) -> None:
    async with db.write() as session:
        await session.execute(
            update(ApiToken)
            .where(ApiToken.token_hash == token_hash)
            .values(last_used_at=utcnow())
            .execution_options(synchronize_session=False)
        )


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
        # The API tokens whose last use this process wrote down within the minute.
        self._noted: TTLCache[str, bool] = TTLCache(maxsize=100_000, ttl=LAST_USE_SECONDS)

    async def __call__(self, kind: CredentialKind, token: str) -> Principal | None:
        token_hash = hash_token(token)
        key = (kind, token_hash)
        if key in self._known:
            found = self._known[key]
        elif kind == "api_token":
            found = await principal_for_api_token(self._db, token)
        else:
            found = await principal_for_session(self._db, token)
        self._known[key] = found
        if kind == "api_token" and found is not None and token_hash not in self._noted:
            self._noted[token_hash] = True
            await note_api_token_use(self._db, token_hash)
        return found

    #: Tells every process that a credential ended (the app wires it to the bus's notices).
    announce: Callable[[CredentialKind, str], Awaitable[None]] | None = None

    async def forget(self, kind: CredentialKind, token: str) -> None:
        await self.forget_everywhere(kind, hash_token(token))

    async def forget_everywhere(self, kind: CredentialKind, token_hash: str) -> None:
        """The credential of this hash ended: this process and every other forget it, and
        close the sockets let in with it (`toolbox.live.notices`)."""
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


async def api_tokens(session: AsyncSession, user: Actor) -> list[ApiToken]:
    """The person's API tokens that still work, newest first (for `/me`)."""
    found = await session.scalars(
        select(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )
    return list(found)


async def revoke_api_token(session: AsyncSession, user: Actor, token_id: int) -> str:
    """Revoke one of the person's own tokens; the hash it had, for `Identities.forget_everywhere`.
    Someone else's token, or one already revoked, is not found: it is not theirs to name."""
    token_hash: str | None = await session.scalar(
        update(ApiToken)
        .where(
            ApiToken.id == token_id,
            ApiToken.user_id == user.id,
            ApiToken.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
        .returning(ApiToken.token_hash)
    )
    if token_hash is None:
        raise NotFound(_("There is no such token among yours."))
    return token_hash


async def end_sessions(
    session: AsyncSession, user_id: int, *, keep_hash: str | None = None
) -> list[str]:
    """End every live session of the person but the one of `keep_hash`; the hashes of those
    ended, for `Identities.forget_everywhere` once this transaction is committed."""
    ended = await session.scalars(
        update(LoginSession)
        .where(
            LoginSession.user_id == user_id,
            LoginSession.revoked_at.is_(None),
            LoginSession.token_hash != (keep_hash or ""),
        )
        .values(revoked_at=utcnow())
        .returning(LoginSession.token_hash)
        .execution_options(synchronize_session=False)
    )
    return list(ended)


async def change_password(
    session: AsyncSession, user: Actor, current: str, new: str, *, session_token: str
) -> list[str]:
    """A signed-in person sets a new password, giving the current one; every other session of
    theirs ends (whoever else held one is out). The hashes of the sessions ended."""
    person = await session.get(User, user.id)
    assert person is not None  # who is asking was read a moment ago; accounts are not deleted
    if not verify_password(person.password_hash, current[:PASSWORD_MAX]):
        raise Invalid(_("This is not your current password."), field="current")
    check_password(new)
    person.password_hash = hash_password(new)
    return await end_sessions(session, person.id, keep_hash=hash_token(session_token))


async def confirm_email(session: AsyncSession, token: str) -> User | None:
    """The person whose confirmation link `token` is, now confirmed; None for a link that is
    unknown, used or expired."""
    person = await onetime.redeem(session, token, onetime.Purpose.confirm)
    if person is not None and person.email_confirmed_at is None:
        person.email_confirmed_at = utcnow()
    return person


async def resend_confirmation(
    session: AsyncSession, user: Actor, *, base_url: str, default_locale: str, next_path: str
) -> None:
    """A new confirmation link for a signed-in person whose address is not confirmed yet."""
    person = await session.get(User, user.id)
    assert person is not None
    if person.email_confirmed_at is not None:
        return
    await mail_confirmation_link(
        session, person, base_url=base_url, default_locale=default_locale, next_path=next_path
    )


async def mail_confirmation_link(
    session: AsyncSession, person: User, *, base_url: str, default_locale: str, next_path: str
) -> None:
    """A new single-use link that confirms `person`'s address, mailed to it."""
    token = await onetime.issue(session, person.id, onetime.Purpose.confirm)
    await mails.queue_confirmation(
        session,
        person,
        token=token,
        base_url=base_url,
        default_locale=default_locale,
        next_path=next_path,
    )


async def request_reset(
    session: AsyncSession, email: str, *, base_url: str, default_locale: str
) -> None:
    """Mail a reset link to `email` if an account has it. The page answers the same either
    way, and before this runs (`toolbox.accounts.views.request_reset`): its time tells nothing
    of whether an account has the address."""
    email = normalise_email(email)
    person = await user_by_email(session, email)
    if person is None:
        return
    token = await onetime.issue(session, person.id, onetime.Purpose.reset)
    await mails.queue_reset(
        session, person, token=token, base_url=base_url, default_locale=default_locale
    )


async def reset_password(
    session: AsyncSession, token: str, password_hash: str
) -> tuple[User, list[str]]:
    """Set a new password (checked and hashed: `hashed_password`) through a reset link: the
    link is used up, every session of the person ends (they start a new one), and the address
    is confirmed (the link reached it). The person, and the hashes of the sessions ended."""
    person = await onetime.redeem(session, token, onetime.Purpose.reset)
    if person is None:
        raise LinkExpired(onetime.Purpose.reset)
    person.password_hash = password_hash
    if person.email_confirmed_at is None:
        person.email_confirmed_at = utcnow()
    return person, await end_sessions(session, person.id)


class LinkExpired(Gone):
    """A mailed link that is unknown, used or expired; the sentence says how to get a new one."""

    def __init__(self, purpose: onetime.Purpose) -> None:
        if purpose == onetime.Purpose.reset:
            message = _("This link has expired or was already used. Ask for a new one.")
        else:
            message = _(
                "This link has expired or was already used. Sign in to have a new one sent."
            )
        super().__init__(message, code=f"{purpose.value}_link_expired")
