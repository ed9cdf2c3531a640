"""What the brigade's API answers, as pydantic models: the OpenAPI document's response schemas
(the documents are built in `toolbox.brigade.documents`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from toolbox.brigade.models import BookingStatus, Outcome


class Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Person(Closed):
    id: int
    name: str


class SlotOut(Closed):
    id: int
    starts_at: str
    ends_at: str
    place: str
    capacity: int
    seats_taken: int
    status: Literal["open", "claimed", "full", "cancelled"]
    expert: Person | None
    outcome: Outcome | None


class SlotList(Closed):
    slots: list[SlotOut]


class Participant(Person):
    email: str


class BookingOut(Closed):
    """Only for the participant, the slot's expert and the facilitators."""

    id: int
    slot_id: int
    status: BookingStatus
    organisation: str
    need: str
    participant: Participant
    starts_at: str
    ends_at: str
    place: str
    video_url: str | None
    created_at: str


class ProfileOut(Closed):
    specialities: list[str]
    languages: list[str]
    bio: str


class ExpertOut(ProfileOut):
    id: int
    name: str


class ExpertList(Closed):
    experts: list[ExpertOut]
