"""Laying slots out as the brigade page shows them: days × times × places, in the board's zone."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from toolbox.brigade.models import Slot


@dataclass
class Row:
    starts_at: datetime
    ends_at: datetime
    cells: dict[str, Slot] = field(default_factory=dict)


@dataclass
class Day:
    day: date
    places: list[str]
    rows: list[Row]


def schedule_days(slots: list[Slot], zone: str) -> list[Day]:
    """Group slots by local day; each day a table whose rows are times and columns places."""
    tz = ZoneInfo(zone)
    by_day: dict[date, list[Slot]] = {}
    for slot in slots:
        by_day.setdefault(slot.starts_at.astimezone(tz).date(), []).append(slot)
    days = []
    for day, day_slots in sorted(by_day.items()):
        places = sorted({slot.place for slot in day_slots})
        rows: dict[tuple[datetime, datetime], Row] = {}
        for slot in sorted(day_slots, key=lambda s: (s.starts_at, s.place, s.id)):
            row = rows.setdefault((slot.starts_at, slot.ends_at), Row(slot.starts_at, slot.ends_at))
            row.cells.setdefault(slot.place, slot)
        days.append(Day(day=day, places=places, rows=list(rows.values())))
    return days
