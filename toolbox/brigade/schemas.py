"""What clients may send about the brigade, and the checks on it (forms and API alike)."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from toolbox.board.schemas import Languages, WebLink, Words
from toolbox.brigade.models import NEED_MAX, ORGANISATION_MAX, PLACE_MAX, Outcome
from toolbox.i18n import gettext as _
from toolbox.validation import DbInt

Capacity = Annotated[int, Field(ge=1, le=100)]
Place = Annotated[str, Field(max_length=PLACE_MAX)]
# A session takes place in years a calendar can hold once moved to UTC and to the board's time
# zone: year 1 at +02:00 is before the first day Python knows, and a 500 instead of an answer.
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _plausible_year(value: date) -> date:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(
            _(
                "A session takes place between the years %(first)s and %(last)s.",
                first=FIRST_YEAR,
                last=LAST_YEAR,
            )
        )
    return value


SessionTime = Annotated[datetime, AfterValidator(_plausible_year)]
SessionDay = Annotated[date, AfterValidator(_plausible_year)]


def _split_lines_or_commas(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in re.split(r"[,\n]", value) if part.strip()]
    return value


def _days(value: object) -> object:
    """Dates as a list, or as text ("2026-12-01, 2026-12-02" in a form)."""
    items = _split_lines_or_commas(value)
    if not isinstance(items, list):
        return items
    days: list[object] = []
    for item in items:
        if isinstance(item, str):
            try:
                item = date.fromisoformat(item.strip())
            except ValueError:
                raise ValueError(
                    _("“%(value)s” is not a date such as 2026-12-01.", value=item.strip()[:40])
                ) from None
        days.append(item)
    return days


def _not_blank(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError(_("This field cannot be empty."))
    return value


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SlotIn(Strict):
    """One slot, its times in the board's time zone when they carry no offset."""

    starts_at: SessionTime
    ends_at: SessionTime
    place: Place = ""
    video_url: WebLink = None
    capacity: Capacity = 1

    @model_validator(mode="after")
    def _ends_after_start(self) -> SlotIn:
        if self.ends_at <= self.starts_at:
            raise ValueError(_("The session must end after it starts."))
        return self


class GridIn(Strict):
    """A schedule in one go: every day, sessions of `minutes` from `start`, `gap` apart, that end
    by `end`, at each place."""

    days: Annotated[list[SessionDay], BeforeValidator(_days), Field(min_length=1, max_length=31)]
    start: time
    end: time
    minutes: Annotated[int, Field(ge=5, le=480)]
    gap: Annotated[int, Field(ge=0, le=240)] = 0
    places: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=PLACE_MAX)]],
        BeforeValidator(_split_lines_or_commas),
        Field(max_length=50),
    ] = []
    video_url: WebLink = None
    capacity: Capacity = 1

    @model_validator(mode="after")
    def _end_after_start(self) -> GridIn:
        if self.end <= self.start:
            raise ValueError(_("The day must end after it starts."))
        return self


class SlotPatch(Strict):
    place: Place | None = None
    video_url: WebLink = None
    capacity: Capacity | None = None


class ClaimIn(Strict):
    expert_id: DbInt | None = None


class BookingIn(Strict):
    need: Annotated[str, Field(max_length=NEED_MAX), AfterValidator(_not_blank)]
    organisation: Annotated[str, Field(max_length=ORGANISATION_MAX), AfterValidator(_not_blank)]
    waitlist: bool = False


class OutcomeIn(Strict):
    outcome: Outcome


class ExpertProfileIn(Strict):
    specialities: Words = []
    languages: Languages = []
    bio: Annotated[str, Field(max_length=1000)] = ""


class BrigadeSettingsIn(Strict):
    cancel_hours: Annotated[int, Field(ge=0, le=24 * 14)]
