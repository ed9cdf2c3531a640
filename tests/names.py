"""Names no other test has taken: e-mails, short names, titles."""

from __future__ import annotations

import itertools
import uuid

_numbers = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_numbers)}-{uuid.uuid4().hex[:6]}"
