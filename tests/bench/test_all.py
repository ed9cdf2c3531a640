"""`make bench`'s own pieces that need no server: the EcoIndex formula and the table's verdicts
(bench/all.py reads back what each script writes)."""

from __future__ import annotations

import pytest

from bench.all import contention_rows, fanout_rows, moves_rows, weight_rows
from bench.weight import Weight, ecoindex


def test_ecoindex_follows_the_published_quantiles() -> None:
    assert ecoindex(0, 0, 0) == (100.0, "A")
    # At a quantile boundary each metric stands on its own step: DOM 476 is step 8, 2 requests
    # step 1, 144.7 KB step 2 → 100 - 5 × (3 × 8 + 2 × 1 + 2) / 6.
    assert ecoindex(476, 2, 144.7)[0] == pytest.approx(100 - 5 * 28 / 6, abs=0.05)
    assert ecoindex(476, 2, 144.7)[1] == "B"
    # Beyond the last quantile: the worst step, grade G.
    assert ecoindex(600_000, 4000, 300_000) == (0.0, "G")
    lighter, heavier = ecoindex(300, 4, 30)[0], ecoindex(900, 4, 30)[0]
    assert lighter > heavier


def test_a_page_meets_its_target_only_on_all_three_counts() -> None:
    light = Weight("board", "/b/x", kb=30.0, requests=4, dom=300, ecoindex=85.0, grade="A")
    assert light.met
    assert not Weight("board", "/b/x", 30.0, 6, 300, 85.0, "A").met
    assert not Weight("board", "/b/x", 51.0, 4, 300, 85.0, "A").met
    assert not Weight("board", "/b/x", 30.0, 4, 300, 79.0, "B").met


def _fanout(clients: int, p99: float, cost: float, missing: int = 0) -> dict[str, object]:
    result = {"p99_ms": p99, "cpu_us_per_message": 26.0 * cost, "missing": missing}
    result["kb_per_idle_client"] = 18.0
    bare = {"p99_ms": 30.0, "cpu_us_per_message": 26.0, "missing": 0, "kb_per_idle_client": 14}
    return {
        "clients": clients,
        "client": "picows",
        "app": result,
        "bare": bare,
        "uvicorn_floor": {"kb_per_idle_client": 15.0},
        "ratios": {"cpu_per_message": cost},
    }


P99 = "delivery p99 (ms), picows clients"


def test_fan_out_verdicts_follow_the_crowd_size() -> None:
    rows = {row.figure: row for row in fanout_rows("fan-out", _fanout(5000, 120.0, 1.2))}
    assert rows[P99].met  # 150 ms at 5,000 clients
    assert rows[P99].target == "≤ 150 ms"
    rows = {row.figure: row for row in fanout_rows("fan-out", _fanout(1000, 120.0, 1.4, 3))}
    assert not rows[P99].met  # 75 ms at 1,000
    assert not rows["server CPU per delivered message, the move included (µs)"].met
    assert not rows["deliveries missing"].met
    assert rows["memory per idle client (KB)"].met
    # A run from before the clients' library was recorded was the websockets client's.
    older = _fanout(1000, 20.0, 1.0)
    del older["client"]
    assert "delivery p99 (ms), websockets clients" in {r.figure for r in fanout_rows("f", older)}


def test_weight_and_contention_rows_carry_their_verdicts() -> None:
    page = {"page": "brigade", "kb": 30.0, "requests": 4, "dom": 864, "ecoindex": 64.0}
    weight = {
        "pages": [{**page, "grade": "C", "met": False}],
        "cards": 1000,
        "draggable_ms": 900.0,
        "targets": {"kb": 50.0, "requests": 5, "ecoindex": 80.0, "draggable_ms": 1000.0},
    }
    assert [row.met for row in weight_rows("weight", weight)] == [False, True]
    warm = {"p99_ms": 90.0, "201": 1, "409": 199, "5xx": 0}
    run = {
        "database": "sqlite",
        "participants": 200,
        "capacity": 1,
        "warm": warm,
        "bare_update": {"p99_ms": 50.0},
        "p99_vs_bare": 1.8,
        "correct": True,
    }
    assert [row.met for row in contention_rows("contention", [run])] == [False, True]


def test_move_rows_judge_each_frame_and_each_way_of_moving() -> None:
    data = {
        "frame_bytes": {"visitor": 205, "facilitator": 600, "json": 279},
        "request_cpu_ms": {"api app p50": 1.9, "form app p50": 2.1},
        "targets": {"frame_bytes": 512, "cpu_ms": 2.0},
    }
    verdicts = [row.met for row in moves_rows("card move", data)]
    assert verdicts == [True, False, True, False]
