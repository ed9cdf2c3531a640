"""Errors the domain raises; the web layer turns them into pages or JSON in the reader's language.

Messages are translated where they are raised (the request's locale is set by then), so each
error carries a sentence a person can read.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        current: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field
        #: For a conflict: the current state, so the client can show what changed.
        self.current = current


class NotSignedIn(DomainError):
    status = 401
    code = "unauthorized"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Gone(DomainError):
    """A link that worked once: used, or expired."""

    status = 410
    code = "gone"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Invalid(DomainError):
    status = 422
    code = "invalid"


class TooLarge(DomainError):
    status = 413
    code = "too_large"
