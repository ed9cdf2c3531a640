"""What each audience may see of an event. The one filter for the events API and the live hub."""

from __future__ import annotations

from typing import Any

from toolbox.live.events import event_document
from toolbox.live.models import BoardEvent

FACILITATOR = "facilitator"
# Event types that speak of people and roles: for the board's facilitators only.
FACILITATOR_ONLY_PREFIXES = ("member.",)


def event_for_audience(event: BoardEvent, audience: str) -> dict[str, Any] | None:
    """The event as `audience` may see it, or None when it is none of their business."""
    if event.type.startswith(FACILITATOR_ONLY_PREFIXES) and audience != FACILITATOR:
        return None
    return event_document(event)
