"""Explicit, gapped positions: an item moves by taking a number between its new neighbours.

Floats with gaps of 65,536 (as Trello does) leave room for about fifty halvings between two
neighbours before they run out; then the whole sibling list is renumbered (`spread`). Ties are
broken by id wherever items are sorted, so every reader sees one order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

GAP = 65536.0
# Below this distance two neighbours are too close to split reliably: renumber instead.
MIN_GAP = 1e-6


def spread(count: int) -> list[float]:
    return [GAP * (i + 1) for i in range(count)]


def position_between(before: float | None, after: float | None) -> float | None:
    """A position strictly between two neighbours, or None when the gap has run out."""
    if before is None and after is None:
        return GAP
    if before is None:
        assert after is not None
        candidate = after / 2 if after > 0 else after - GAP
        return candidate if after - candidate > MIN_GAP else None
    if after is None:
        return before + GAP
    if after - before <= MIN_GAP * 2:
        return None
    return (before + after) / 2


def position_at(sibling_positions: list[float], index: int) -> float | None:
    """Where to put an item so that it lands at `index` among ordered siblings (not itself)."""
    index = max(0, min(index, len(sibling_positions)))
    before = sibling_positions[index - 1] if index > 0 else None
    after = sibling_positions[index] if index < len(sibling_positions) else None
    return position_between(before, after)


class Positioned(Protocol):
    position: float


def place(siblings: Sequence[Positioned], index: int) -> float:
    """The position for an item joining ordered `siblings` at `index`.

    When the gap there has run out, the siblings are renumbered (their `position` changes, which
    the caller's transaction writes) with a hole left at `index`.
    """
    position = position_at([sibling.position for sibling in siblings], index)
    if position is not None:
        return position
    numbers = spread(len(siblings) + 1)
    hole = numbers.pop(max(0, min(index, len(siblings))))
    for sibling, number in zip(siblings, numbers, strict=True):
        sibling.position = number
    return hole
