"""Who is asking: the read model of the person behind a request, and how the app finds them.

A core module (no domain imports), so that the middleware, `toolbox.web` and the websocket
endpoint can speak of the signed-in person without importing `toolbox.accounts`. Accounts reads
the `Principal` (`toolbox.accounts.services.identify`) and the app hands that function to the
middleware; nothing else needs to know where people are stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol


@dataclass(frozen=True, slots=True)
class Principal:
    """The signed-in person, as read once per request. For reading and permission checks; a
    change to the account goes through its service, which loads the `User` in its session."""

    id: int
    email: str
    name: str
    is_admin: bool
    locale: str | None
    #: The calendar feed link is derived from it (toolbox.brigade.calendar); shown on `/me`.
    calendar_salt: str
    #: Whether they opened the link mailed on registering (booking and suggesting need it).
    email_confirmed: bool

    @property
    def display_name(self) -> str:
        return self.name or self.email.split("@", 1)[0]


class Actor(Protocol):
    """What a service needs of whoever acts: a `Principal`, or a `User` the caller just loaded
    or created (the command line, the demo, an invitation accepted while signing up)."""

    @property
    def id(self) -> int: ...

    @property
    def is_admin(self) -> bool: ...

    @property
    def display_name(self) -> str: ...

    @property
    def email_confirmed(self) -> bool: ...


#: Where a credential came from: the session cookie, or an API token (`Authorization: Bearer`).
CredentialKind = Literal["session", "api_token"]


class Identify(Protocol):
    """The person a credential belongs to, or None when it is unknown, expired or revoked."""

    async def __call__(self, kind: CredentialKind, token: str) -> Principal | None: ...

    async def forget(self, kind: CredentialKind, token: str) -> None:
        """Every process must ask the database again for `token` (it was just revoked)."""
        ...

    async def forget_everywhere(self, kind: CredentialKind, token_hash: str) -> None:
        """Every process must ask the database again for the token of this hash (a password
        change or reset ended it: only the hash is known then)."""
        ...

    def forget_hashed(self, kind: CredentialKind, token_hash: str) -> None:
        """This process must ask the database again for the token of this hash."""
        ...

    def forget_all(self) -> None:
        """This process must ask the database again for every credential."""
        ...
