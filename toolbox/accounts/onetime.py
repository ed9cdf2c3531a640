"""Links mailed to someone, good once and for a while: confirming an address after registering
(two days: the mail may wait in a folder over a weekend) and resetting a password (an hour: it
is as good as the password). The mail holds the token, the database its hash only."""

from __future__ import annotations

import enum
from datetime import timedelta

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from toolbox.accounts.models import OneTimeToken, User
from toolbox.db import utcnow
from toolbox.security import hash_token, new_token


class Purpose(enum.StrEnum):
    confirm = "confirm"
    reset = "reset"


LIFETIMES = {Purpose.confirm: timedelta(hours=48), Purpose.reset: timedelta(hours=1)}
#: Longer than any link a mail can hold is a forged one: not worth a database read.
TOKEN_MAX = 100


async def issue(session: AsyncSession, user_id: int, purpose: Purpose) -> str:
    """A new link's token for `user_id`; it goes in the mail and nowhere else."""
    token = new_token()
    session.add(
        OneTimeToken(
            token_hash=hash_token(token),
            user_id=user_id,
            purpose=purpose.value,
            expires_at=utcnow() + LIFETIMES[purpose],
        )
    )
    await session.flush()
    return token


def _live(token: str, purpose: Purpose) -> tuple[ColumnElement[bool], ...]:
    return (
        OneTimeToken.token_hash == hash_token(token),
        OneTimeToken.purpose == purpose.value,
        OneTimeToken.used_at.is_(None),
        OneTimeToken.expires_at > utcnow(),
    )


async def holder(session: AsyncSession, token: str, purpose: Purpose) -> User | None:
    """Whose live link `token` is (to show its form), without using it up; None for a link
    that is unknown, used, expired or meant for another purpose."""
    if len(token) > TOKEN_MAX:
        return None
    return await session.scalar(
        select(User)
        .join(OneTimeToken, OneTimeToken.user_id == User.id)
        .where(*_live(token, purpose))
    )


async def redeem(session: AsyncSession, token: str, purpose: Purpose) -> User | None:
    """Use the link `token` up and return whose it was; None if it was not live. One
    conditional UPDATE: of two clicks at once, one gets the person, the other None."""
    if len(token) > TOKEN_MAX:
        return None
    user_id = await session.scalar(
        update(OneTimeToken)
        .where(*_live(token, purpose))
        .values(used_at=utcnow())
        .returning(OneTimeToken.user_id)
    )
    return None if user_id is None else await session.get(User, user_id)
