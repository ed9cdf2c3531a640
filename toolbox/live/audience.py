"""Who sees what of an event. The one filter for the events API and the live hub.

An audience is a role on the board (visitor, reader, participant, expert, facilitator) and, for
HTML, a language: everyone in one audience gets the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

FACILITATOR = "facilitator"
# Event types that speak of people and roles: for the board's facilitators only.
FACILITATOR_ONLY_PREFIXES = ("member.",)
PUBLIC_FIELDS = ("seq", "type", "at", "data")


@dataclass(frozen=True)
class Audience:
    role: str
    locale: str = "fr_CA"

    @property
    def is_facilitator(self) -> bool:
        return self.role == FACILITATOR


def event_for_audience(document: dict[str, Any], role: str) -> dict[str, Any] | None:
    """The event as `role` may see it (without internal fields), or None: none of their business."""
    if document["type"].startswith(FACILITATOR_ONLY_PREFIXES) and role != FACILITATOR:
        return None
    return {field: document[field] for field in PUBLIC_FIELDS}
