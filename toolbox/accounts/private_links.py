"""Private links: addresses that are their own credential, for programs that sign in to nothing
(a calendar app, a feed reader). Nothing is stored: the secret part is derived from the person's
id, their `calendar_salt` (a new salt revokes every private link of theirs) and the server's
secret key, with a purpose ("calendar", "feed") so that one link never opens the other."""

from __future__ import annotations

import hmac
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from toolbox.accounts.models import User
from toolbox.security import sign


class Salted(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def calendar_salt(self) -> str: ...


def private_token(secret_key: str, user: Salted, purpose: str) -> str:
    """The secret part of one of a person's private links."""
    return f"{user.id}-{_digest(secret_key, user, purpose)}"


def _digest(secret_key: str, user: Salted, purpose: str) -> str:
    return sign(secret_key, f"{purpose}:{user.id}:{user.calendar_salt}")


async def user_for_private_token(
    session: AsyncSession, secret_key: str, token: str, purpose: str
) -> User | None:
    """Whose link `token` is, or None for a forged, revoked or mistyped one."""
    user_id, _dash, digest = token.partition("-")
    if not user_id.isdigit() or len(user_id) > 18 or not digest:
        return None
    user = await session.get(User, int(user_id))
    if user is None or not hmac.compare_digest(digest, _digest(secret_key, user, purpose)):
        return None
    return user
