"""Turning untrusted input (a JSON body, a form) into typed values, or a sentence saying why not.

Pydantic does the parsing; this module turns its first error into an `Invalid` whose message is
in the reader's language and whose `field` names the culprit.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, ValidationError

from toolbox.errors import Invalid
from toolbox.i18n import gettext as _

M = TypeVar("M", bound=BaseModel)

# A row's id or version as the database keeps it: INTEGER, 32 bits on PostgreSQL (64 on SQLite).
# A bigger number would reach the driver and fail there, a 500; out of this range it is a 422.
DB_INT_MAX = 2**31 - 1
DbInt = Annotated[int, Field(ge=-DB_INT_MAX - 1, le=DB_INT_MAX)]


def parse_json(model: type[M], body: bytes) -> M:
    """A JSON body, strictly typed: a title sent as a number is refused, not converted."""
    try:
        return refuse_nul(model.model_validate_json(body or b"{}", strict=True))
    except ValidationError as error:
        raise invalid_from(error) from None


def parse_form(model: type[M], data: dict[str, Any]) -> M:
    """A form's fields, all strings by nature: numbers are read from their text."""
    try:
        return refuse_nul(model.model_validate(data, strict=False))
    except ValidationError as error:
        raise invalid_from(error) from None


def refuse_nul(value: M) -> M:
    """PostgreSQL cannot store a NUL character in text (the driver fails: a 500); no one types
    one, so a string holding it is invalid input, on SQLite too."""
    for field, item in value.model_dump().items():
        if _holds_nul(item):
            raise Invalid(_("This value is not valid."), field=field)
    return value


def _holds_nul(item: object) -> bool:
    if isinstance(item, str):
        return "\x00" in item
    if isinstance(item, list | tuple):
        return any(_holds_nul(part) for part in item)
    if isinstance(item, dict):
        return any(_holds_nul(part) for part in item.values())
    return False


def invalid_from(error: ValidationError) -> Invalid:
    first = error.errors(include_url=False)[0]
    field = ".".join(str(part) for part in first["loc"] if not isinstance(part, int)) or None
    context = first.get("ctx") or {}
    kind = first["type"]
    if kind == "json_invalid":
        return Invalid(_("The request body is not valid JSON."), field=None)
    if kind == "model_type" and not first["loc"]:
        return Invalid(_("The request body must be a JSON object."), field=None)
    if kind == "missing":
        message = _("This field is required.")
    elif kind in {"string_too_long", "too_long"}:
        limit = context.get("max_length", "?")
        message = _("This is too long (%(limit)s characters at most).", limit=limit)
    elif kind in {"string_too_short", "too_short"}:
        message = _("This field cannot be empty.")
    elif kind == "extra_forbidden":
        message = _("This field is not expected here.")
    elif kind in {"enum", "literal_error"}:
        message = _("This value is not one of the choices.")
    elif kind == "value_error":
        # Our own validators raise ValueError with a sentence already in the reader's language.
        message = str(context.get("error", "")) or _("This value is not valid.")
    elif kind.startswith(("int", "float", "greater", "less", "finite")):
        message = _("This must be a whole number in range.")
    elif kind.startswith(("string", "list", "bool", "dict", "model")):
        message = _("This value has the wrong type.")
    else:
        message = _("This value is not valid.")
    return Invalid(message, field=field)


def check_web_link(value: str | None) -> str | None:
    """Only http(s) links with a host: a `javascript:` or `data:` link never reaches a page."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        raise ValueError(_("The link must start with http:// or https://."))
    if any(ch.isspace() or ord(ch) < 32 for ch in value):
        raise ValueError(_("The link must not contain spaces."))
    return value


def check_finite(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError(_("This value is not valid."))
    return value
