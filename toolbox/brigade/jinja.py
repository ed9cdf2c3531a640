"""The brigade's filters for the templates, registered by the app at start-up (`toolbox.app`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from toolbox.brigade.browse import slot_state
from toolbox.i18n import gettext as _


def state_name(state: str) -> str:
    """A session's state in words, for its cell and the legend."""
    names = {
        "bookable": _("Seats free"),
        "full": _("Full: waitlist"),
        "open": _("No expert yet"),
        "claimed": _("Seats free"),
        "held": _("Held"),
        "missed": _("Missed"),
        "past": _("Over"),
        "cancelled": _("Cancelled"),
    }
    return names.get(state, state)


#: The shape beside each state's word, so that no state is told by colour alone.
SHAPES = {
    "bookable": "●",
    "full": "■",
    "open": "○",
    "held": "✓",
    "missed": "✗",
    "past": "–",
    "cancelled": "⊘",
}


def state_shape(state: str) -> str:
    return SHAPES.get(state, "")


def booking_state_name(status: str) -> str:
    """A booking's state in words, for the report ("" for a session nobody booked)."""
    names = {
        "active": _("Booked"),
        "waiting": _("On the waitlist"),
        "cancelled": _("Cancelled by the participant or the team"),
    }
    return names.get(status, status)


FILTERS: dict[str, Callable[..., Any]] = {
    "booking_state_name": booking_state_name,
    "slot_state": slot_state,
    "state_name": state_name,
    "state_shape": state_shape,
}
