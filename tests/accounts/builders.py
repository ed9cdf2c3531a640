"""People for tests, made through the accounts' own services (`toolbox.accounts.services`)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from tests.names import unique
from toolbox.accounts.models import User
from toolbox.accounts.services import create_api_token, create_user

PASSWORD = "correct horse battery"


async def new_person(
    session: AsyncSession,
    *,
    admin: bool = False,
    locale: str | None = None,
    name: str | None = None,
    password: str | None = None,
) -> User:
    """Someone with an account; without a password unless given one, such as `PASSWORD`
    (hashing one takes a tenth of a second, and most tests never sign in)."""
    return await create_user(
        session,
        f"{unique('person')}@example.org",
        name=name if name is not None else unique("Person"),
        password=password,
        is_admin=admin,
        locale=locale,
    )


async def new_api_token(session: AsyncSession, user: User, name: str = "") -> str:
    return await create_api_token(session, user, name)
