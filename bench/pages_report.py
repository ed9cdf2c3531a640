"""The read-path bench's figures (bench/pages.py) and the table it prints."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field


@dataclass
class Target:
    text: str
    met: bool


@dataclass
class Figure:
    name: str
    rps: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    value: float | None = None  # a figure that is neither a rate nor a latency: its `unit` says
    unit: str = ""
    requests: int = 0
    bytes_per_answer: float | None = None  # headers and body, as wrk counts them
    statuses: dict[str, int] = field(default_factory=dict)
    #: Answers the figure should not hold (a 404, a 200 where a 304 was asked for): then every
    #: target of the figure is missed, whatever its numbers.
    wrong: str = ""
    note: str = ""
    targets: list[Target] = field(default_factory=list)

    def check(self, text: str, ok: bool) -> None:
        self.targets.append(Target(text, ok and not self.wrong))

    @property
    def met(self) -> bool:
        return all(target.met for target in self.targets)


def _number(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def report(figures: dict[str, Figure], args: argparse.Namespace, database: str) -> bool:
    """Print one line per figure beside its targets; True when every target is met."""
    bare = (figures["bare"].rps or 0.0) if "bare" in figures else 0.0  # none with --only
    print(
        f"\nread path: database {database}, {args.connections} connections, "
        f"{args.seconds:g} s per wrk figure{' (--quick)' if args.quick else ''}"
    )
    print(f"{'figure':58}{'req/s':>9}{'× bare':>8}{'p50 ms':>11}{'p99 ms':>11}{'KB':>8}  target")
    for figure in figures.values():
        ratio = f"{figure.rps / bare:.3f}" if figure.rps is not None and bare else "—"
        targets = "; ".join(f"{t.text}: {'met' if t.met else 'MISSED'}" for t in figure.targets)
        size = None if figure.bytes_per_answer is None else figure.bytes_per_answer / 1024
        print(
            f"{figure.name[:57]:58}{_number(figure.rps, 0):>9}{ratio:>8}"
            f"{_number(figure.p50_ms, 2):>11}{_number(figure.p99_ms, 2):>11}{_number(size):>8}"
            f"  {targets or '—'}"
        )
        if figure.value is not None:
            print(f"{'':4}{_number(figure.value, 2)} {figure.unit}")
        for remark in (figure.wrong, figure.note):
            if remark:
                print(f"{'':4}{remark}")
    met = all(figure.met for figure in figures.values())
    missed = [f.name for f in figures.values() if not f.met]
    print("every target met" if met else f"targets missed: {len(missed)} figure(s)")
    return met
