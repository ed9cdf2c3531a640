"""Gapped positions: halving until the gap runs out, then renumbering."""

from __future__ import annotations

from dataclasses import dataclass

from toolbox.board.positions import GAP, place, position_at


@dataclass
class Item:
    name: str
    position: float


def ordered(items: list[Item]) -> list[str]:
    return [i.name for i in sorted(items, key=lambda i: i.position)]


def test_position_at_ends_and_middle() -> None:
    assert position_at([], 0) == GAP
    assert position_at([GAP], 5) == 2 * GAP
    assert position_at([GAP, 2 * GAP], 1) == 1.5 * GAP
    assert 0 < position_at([GAP], 0) < GAP  # type: ignore[operator]


def test_repeated_insertions_at_one_place_renumber_and_keep_order() -> None:
    items = [Item("a", GAP), Item("z", 2 * GAP)]
    for n in range(200):  # far more halvings than a float gap allows
        siblings = sorted(items, key=lambda i: i.position)
        new = Item(f"n{n:03d}", 0.0)
        new.position = place(siblings, 1)
        items.append(new)
    names = ordered(items)
    assert names[0] == "a" and names[-1] == "z"
    assert names[1:-1] == [f"n{n:03d}" for n in reversed(range(200))]
    positions = sorted(i.position for i in items)
    assert len(set(positions)) == len(positions)
