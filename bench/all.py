"""`make bench`: every scenario in one command, one table (issue 16).

Each scenario is its own script, run here one after the other as a subprocess (so that none
measures another's leftovers); each writes its JSON to bench/results/, read back here into one
Markdown table: each figure beside its same-run baseline and its target, met or missed, with the
date, the machine and the command. The table is printed and written to
bench/results/summary-*.md, to be pasted into docs/performance.md.

    .venv/bin/python bench/all.py [--quick] [--only NAME] [--postgres ADMIN_URL] [--redis URL]

`--quick` is a smoke run (small crowds, short runs): every scenario and the table work; its
figures are not the ones to quote. CI does not run the scenarios: the tests check what needs no
server, the table's verdicts (tests/bench/test_all.py), and the fan-out's clients against a real
`websockets` server (tests/bench/test_fanout_clients.py).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = str(ROOT / ".venv/bin/python") if (ROOT / ".venv/bin/python").exists() else sys.executable
POSTGRES = os.environ.get(
    "TOOLBOX_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
REDIS = os.environ.get("TOOLBOX_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@dataclass
class Row:
    scenario: str
    figure: str
    value: str
    baseline: str = "—"
    ratio: str = "—"
    target: str = "—"
    met: bool | None = None

    def cells(self) -> list[str]:
        verdict = "—" if self.met is None else ("met" if self.met else "**missed**")
        return [
            self.scenario,
            self.figure,
            self.value,
            self.baseline,
            self.ratio,
            self.target,
            verdict,
        ]


@dataclass
class Scenario:
    name: str
    script: str
    args: Callable[[argparse.Namespace], list[str]]
    rows: Callable[[str, Any], list[Row]]
    produced: list[Path] = field(default_factory=list)


def _x(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "—"


def fanout_rows(name: str, data: dict[str, Any]) -> list[Row]:
    app, bare, floor = data["app"], data["bare"], data["uvicorn_floor"]
    p99_target = {1000: 75.0, 5000: 150.0}.get(data["clients"], 75.0)
    cost = data["ratios"]["cpu_per_message"]
    rows = [
        Row(
            name,
            "server CPU per delivered message, the move included (µs)",
            f"{app['cpu_us_per_message']:.1f}",
            f"bare websockets {bare['cpu_us_per_message']:.1f}",
            f"{cost:.2f}×",
            "≤ 1.3× bare",
            cost <= 1.3,
        ),
        Row(
            name,
            # The clients' library: picows times a frame as it is read, websockets (before
            # 7 December 2026) once its task has the message.
            f"delivery p99 (ms), {data.get('client', 'websockets')} clients",
            f"{app['p99_ms']:.1f}",
            f"bare {bare['p99_ms']:.1f}",
            _x(app["p99_ms"], bare["p99_ms"]),
            f"≤ {p99_target:.0f} ms",
            app["p99_ms"] <= p99_target,
        ),
        Row(
            name,
            "deliveries missing",
            str(app["missing"]),
            f"bare {bare['missing']}",
            "—",
            "none",
            app["missing"] == 0,
        ),
        Row(
            name,
            "memory per idle client (KB)",
            f"{app['kb_per_idle_client']:.1f}",
            f"uvicorn floor {floor['kb_per_idle_client']:.1f}, bare "
            f"{bare['kb_per_idle_client']:.1f}",
            _x(app["kb_per_idle_client"], bare["kb_per_idle_client"]),
            "≤ 20 KB",
            app["kb_per_idle_client"] <= 20.0,
        ),
    ]
    if cross := data.get("cross_process"):
        two = cross["result"]
        rows.append(
            Row(
                name,
                f"{cross['processes']} processes on Redis: delivery p99 (ms)",
                f"{two['p99_ms']:.1f}",
                f"one process {app['p99_ms']:.1f}",
                f"{cross['p99_ratio']:.2f}×",
                "≤ 1.5× one process",
                cross["p99_ratio"] <= 1.5,
            )
        )
        rows.append(
            Row(
                name,
                f"{cross['processes']} processes: deliveries missing",
                str(two["missing"]),
                "—",
                "—",
                "none",
                two["missing"] == 0,
            )
        )
    return rows


def servers_rows(name: str, data: dict[str, Any]) -> list[Row]:
    bare = data["bare"]
    rows = []
    first = data["rows"][0]["page_rps"] if data["rows"] else 0
    for server in data["rows"]:
        app, floor = server["app"], server["floor"]
        rows.append(
            Row(
                name,
                f"{server['name']}: µs per message; KB per idle client (floor); page req/s",
                f"{app['cpu_us_per_message']:.1f}; {app['kb_per_idle_client']:.1f} "
                f"({floor['kb_per_idle_client']:.1f}); {server['page_rps']:,.0f}",
                f"bare {bare['cpu_us_per_message']:.1f} µs, {bare['kb_per_idle_client']:.1f} KB",
                f"{_x(app['cpu_us_per_message'], bare['cpu_us_per_message'])}; page "
                f"{_x(server['page_rps'], first)} of uvicorn's",
                "—",
                None,
            )
        )
    return rows


def pages_rows(name: str, data: dict[str, Any]) -> list[Row]:
    bare = data["figures"]["bare"]["rps"] or 0.0
    rows = []
    for figure in data["figures"].values():
        if not figure["targets"]:
            continue
        if figure["rps"] is not None:
            value = f"{figure['rps']:,.0f} req/s"
        elif figure["value"] is not None:
            value = f"{figure['value']:,.2f} {figure['unit']}"
        else:
            value = f"p50 {figure['p50_ms']:.2f} ms, p99 {figure['p99_ms']:.2f} ms"
        baseline = f"bare {bare:,.0f} req/s" if figure["rps"] is not None else "—"
        ratio = _x(figure["rps"], bare) if figure["rps"] is not None else "—"
        for target in figure["targets"]:
            rows.append(
                Row(name, figure["name"], value, baseline, ratio, target["text"], target["met"])
            )
    return rows


def weight_rows(name: str, data: dict[str, Any]) -> list[Row]:
    targets = data["targets"]
    rows = [
        Row(
            name,
            f"{page['page']}: KB, requests, DOM elements, EcoIndex",
            f"{page['kb']:.1f} KB, {page['requests']}, {page['dom']}, "
            f"{page['ecoindex']:.0f} ({page['grade']})",
            target=f"≤ {targets['kb']:.0f} KB, ≤ {targets['requests']}, EcoIndex ≥ "
            f"{targets['ecoindex']:.0f} (A)",
            met=page["met"],
        )
        for page in data["pages"]
    ]
    rows.append(
        Row(
            name,
            f"a {data['cards']:,}-card board: a card can be dragged after (ms)",
            f"{data['draggable_ms']:.0f}",
            target=f"≤ {targets['draggable_ms']:.0f} ms",
            met=data["draggable_ms"] <= targets["draggable_ms"],
        )
    )
    return rows


def contention_rows(name: str, data: list[dict[str, Any]]) -> list[Row]:
    rows = []
    for run in data:
        warm, bare = run["warm"], run["bare_update"]
        rows.append(
            Row(
                f"{name}, {run['database']}",
                f"{run['participants']} book one seat: warm p99 (ms)",
                f"{warm['p99_ms']:.1f}",
                f"bare UPDATE {bare['p99_ms']:.1f}",
                f"{run['p99_vs_bare']:.2f}×",
                "≤ 1.5× bare",
                run["p99_vs_bare"] <= 1.5,
            )
        )
        rows.append(
            Row(
                f"{name}, {run['database']}",
                "exact counts (201 / 409 / 5xx)",
                f"{warm['201']} / {warm['409']} / {warm['5xx']}",
                "—",
                "—",
                f"{run['capacity']} / {run['participants'] - run['capacity']} / 0",
                bool(run["correct"]),
            )
        )
    return rows


def moves_rows(name: str, data: dict[str, Any]) -> list[Row]:
    targets = data["targets"]
    rows = [
        Row(
            name,
            f"a card move's frame to a {audience}'s browser (B)",
            str(data["frame_bytes"][audience]),
            target=f"≤ {targets['frame_bytes']} B",
            met=data["frame_bytes"][audience] <= targets["frame_bytes"],
        )
        for audience in ("visitor", "facilitator")
    ]
    for kind, through in (("api", "the API"), ("form", "the board's form")):
        cpu = data["request_cpu_ms"][f"{kind} app p50"]
        rows.append(
            Row(
                name,
                f"the move request's CPU in the app, through {through}, p50 (ms)",
                f"{cpu:.2f}",
                target=f"≤ {targets['cpu_ms']:.0f} ms",
                met=cpu <= targets["cpu_ms"],
            )
        )
    return rows


def _pick(quick: list[str], full: list[str]) -> Callable[[argparse.Namespace], list[str]]:
    return lambda args: quick if args.quick else full


SCENARIOS = [
    Scenario(
        "fan-out, 1,000 clients",
        "fanout",
        _pick(["--clients", "100", "--moves", "5"], ["--clients", "1000", "--moves", "50"]),
        fanout_rows,
    ),
    Scenario(
        "fan-out, 5,000 clients",
        "fanout",
        _pick(["--clients", "300", "--moves", "3"], ["--clients", "5000", "--moves", "20"]),
        fanout_rows,
    ),
    Scenario(
        "fan-out, PostgreSQL, one and two processes",
        "fanout",
        lambda args: [
            *(
                ["--clients", "100", "--moves", "5"]
                if args.quick
                else ["--clients", "1000", "--moves", "30"]
            ),
            "--database",
            args.postgres,
            "--processes",
            "2",
            "--redis",
            args.redis,
        ],
        fanout_rows,
    ),
    Scenario(
        "card move, SQLite", "moves", _pick(["--moves", "20"], ["--moves", "300"]), moves_rows
    ),
    Scenario(
        "card move, PostgreSQL",
        "moves",
        lambda args: ["--moves", "20" if args.quick else "300", "--database", args.postgres],
        moves_rows,
    ),
    Scenario("ASGI servers", "servers", _pick(["--quick"], []), servers_rows),
    Scenario("read path, SQLite", "pages", _pick(["--quick"], []), pages_rows),
    Scenario(
        "read path, PostgreSQL",
        "pages",
        lambda args: [*(["--quick"] if args.quick else []), "--database", args.postgres],
        pages_rows,
    ),
    Scenario("page weight", "weight", _pick(["--quick"], []), weight_rows),
    Scenario(
        "contention",
        "contention",
        lambda args: [
            *(["--participants", "40"] if args.quick else []),
            "--database",
            "sqlite",
            "--database",
            args.postgres,
        ],
        contention_rows,
    ),
]


def run(scenario: Scenario, args: argparse.Namespace) -> Path:
    """The scenario's script; the JSON it wrote."""
    before = set(RESULTS.glob(f"{scenario.script}-*.json"))
    command = [PYTHON, str(ROOT / "bench" / f"{scenario.script}.py"), *scenario.args(args)]
    print(f"\n== {scenario.name}: {' '.join(command[1:])}", flush=True)
    env = {**os.environ, "TOOLBOX_BENCH_REDIS_URL": args.redis}
    done = subprocess.run(command, cwd=ROOT, env=env)  # noqa: S603 -- our own scripts
    made = sorted(set(RESULTS.glob(f"{scenario.script}-*.json")) - before)
    if done.returncode != 0 or not made:
        raise RuntimeError(f"{scenario.name} failed (exit {done.returncode})")
    return made[-1]


def table(rows: list[Row], args: argparse.Namespace, began: str, minutes: float) -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    head = ["scenario", "figure", "value", "same-run baseline", "ratio", "target", "result"]
    lines = [
        f"`{' '.join(['bench/all.py', *sys.argv[1:]])}` — {began}, {minutes:.0f} min; "
        f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}; servers pinned to "
        "core 0, load generators to core 1."
        + (" **Quick mode: a smoke run, not figures to quote.**" if args.quick else ""),
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]
    lines += [
        "| " + " | ".join(cell.replace("|", "\\|") for cell in row.cells()) + " |" for row in rows
    ]
    met = sum(1 for row in rows if row.met)
    missed = sum(1 for row in rows if row.met is False)
    lines += ["", f"{met} targets met, {missed} missed."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run of every scenario")
    parser.add_argument("--only", action="append", help="a scenario's script name, e.g. fanout")
    parser.add_argument("--postgres", default=POSTGRES, help="a PostgreSQL admin URL")
    parser.add_argument("--redis", default=REDIS, help="the bus of the two-process scenario")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    began = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    start = time.monotonic()
    rows: list[Row] = []
    failed: list[str] = []
    for scenario in SCENARIOS:
        if args.only and scenario.script not in args.only:
            continue
        try:
            produced = run(scenario, args)
        except RuntimeError as error:
            failed.append(str(error))
            continue
        rows += scenario.rows(scenario.name, json.loads(produced.read_text()))
    text = table(rows, args, began, (time.monotonic() - start) / 60)
    path = RESULTS / f"summary-{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}.md"
    path.write_text(text)
    print(f"\n{text}\nwritten to {path.relative_to(ROOT)}")
    if failed:
        sys.exit("bench: " + "; ".join(failed))


if __name__ == "__main__":
    main()
