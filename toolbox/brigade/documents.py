"""The JSON shapes of slots and bookings.

`slot_document` is what anyone who can see the board may see: times, place, capacity, seats
taken, the expert. A booking's need, organisation and contact live only in `booking_document`,
which is built for the participant, the slot's expert and the facilitators, never for events.
"""

from __future__ import annotations

from typing import Any

from toolbox.accounts.models import User
from toolbox.brigade.models import Booking, Slot


def slot_status(slot: Slot) -> str:
    if slot.cancelled_at is not None:
        return "cancelled"
    if slot.expert_id is None:
        return "open"
    if slot.seats_taken >= slot.capacity:
        return "full"
    return "claimed"


def slot_document(slot: Slot, expert: User | None) -> dict[str, Any]:
    return {
        "id": slot.id,
        "starts_at": slot.starts_at.isoformat(),
        "ends_at": slot.ends_at.isoformat(),
        "place": slot.place,
        "capacity": slot.capacity,
        "seats_taken": slot.seats_taken,
        "status": slot_status(slot),
        "expert": {"id": expert.id, "name": expert.display_name} if expert else None,
        "outcome": slot.outcome.value if slot.outcome else None,
    }


def booking_document(booking: Booking, slot: Slot, participant: User) -> dict[str, Any]:
    return {
        "id": booking.id,
        "slot_id": slot.id,
        "status": booking.status.value,
        "organisation": booking.organisation,
        "need": booking.need,
        "participant": {
            "id": participant.id,
            "name": participant.display_name,
            "email": participant.email,
        },
        "starts_at": slot.starts_at.isoformat(),
        "ends_at": slot.ends_at.isoformat(),
        "place": slot.place,
        "video_url": slot.video_url,
        "created_at": booking.created_at.isoformat(),
    }
