"""Who sees what of an event. The one filter for the events API and the live hub.

An audience is a role on the board (visitor, reader, participant, expert, facilitator) and, for
HTML, a language: everyone in one audience gets the same bytes. Whether a role sees an event is
the event's declaration's to say (`toolbox.events.types`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from toolbox.events.types import EVENT_TYPES, FACILITATOR

PUBLIC_FIELDS = ("seq", "type", "at", "data")

__all__ = ["FACILITATOR", "PUBLIC_FIELDS", "Audience", "event_for_audience"]


@dataclass(frozen=True, slots=True)
class Audience:
    """Who a fragment is rendered for. `user_id` is set only for a rendering meant for one
    person (their own booking, their own session); otherwise the whole role shares it."""

    role: str
    locale: str = "fr_CA"
    user_id: int | None = None

    @property
    def is_facilitator(self) -> bool:
        return self.role == FACILITATOR

    @property
    def is_expert(self) -> bool:
        return self.role == "expert"

    @property
    def signed_in(self) -> bool:
        return self.role != "visitor"


def event_for_audience(document: dict[str, Any], role: str) -> dict[str, Any] | None:
    """The event as `role` may see it (without internal fields), or None: none of their business.

    A type no longer declared reaches the facilitators alone: no declaration vouches for what
    its payload says (an old row could name who booked), so it is history for those who see
    everything, and nobody else's (confidential by default, DESIGN.md §2).
    """
    declaration = EVENT_TYPES.get(document["type"])
    if declaration is None and role != FACILITATOR:
        return None
    if declaration is not None and not declaration.visible_to(role):
        return None
    visible = {field: document[field] for field in PUBLIC_FIELDS}
    if declaration is not None and declaration.facilitators_only and role != FACILITATOR:
        hidden = declaration.facilitators_only
        visible["data"] = {k: v for k, v in visible["data"].items() if k not in hidden}
    return visible
