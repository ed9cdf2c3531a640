"""Trello import: a ~1 MB export with 1,000 actions (the most Trello writes), imported whole.

The import's time is reported beside a baseline measured in the same run on the same database:
inserting the same number of rows (cards and history notes) with one bare SQLAlchemy Core
`executemany`, so the ratio says what reading, checking and mapping the export cost on top of
writing its rows, whatever the machine.

    .venv/bin/python bench/import_trello.py [--size 1000000] [--runs 5] [--database sqlite|URL]

A PostgreSQL URL is an admin URL: a database is made for the run and dropped after.
Results go to bench/results/import-*.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Column, Integer, MetaData, Table, Text, insert  # noqa: E402

from bench.harness import prepared_database  # noqa: E402
from tests.transfer.builders import large_export  # noqa: E402
from toolbox.db import Database  # noqa: E402
from toolbox.transfer.files import load_json  # noqa: E402
from toolbox.transfer.importer import import_plan  # noqa: E402
from toolbox.transfer.trello import plan_from_trello  # noqa: E402
from toolbox.transfer.trello_format import parse_trello  # noqa: E402

scratch = Table(
    "bench_rows", MetaData(), Column("id", Integer, primary_key=True), Column("body", Text)
)


async def run(url: str, data: bytes, runs: int) -> dict[str, Any]:
    db = Database(url)
    imports: list[float] = []
    bare: list[float] = []
    rows = 0
    try:
        async with db.engine.begin() as connection:
            await connection.run_sync(scratch.create, checkfirst=True)
        for run_number in range(runs):
            started = time.perf_counter()
            plan = plan_from_trello(parse_trello(load_json(data)))
            plan.external_id = f"bench-{run_number}"  # a new board each run, not an update
            async with db.write() as session:
                await import_plan(session, plan, timezone="UTC")
            imports.append(time.perf_counter() - started)
            rows = len(plan.cards) + len(plan.notes)

            body = [{"body": card.description} for card in plan.cards]
            body += [{"body": note.body} for note in plan.notes]
            started = time.perf_counter()
            async with db.engine.begin() as connection:
                await connection.execute(insert(scratch), body)
            bare.append(time.perf_counter() - started)
    finally:
        await db.dispose()
    return {
        "rows": rows,
        "import_s": statistics.median(imports),
        "bare_insert_s": statistics.median(bare),
        "ratio": statistics.median(imports) / statistics.median(bare),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database", default="sqlite")
    args = parser.parse_args()
    data = json.dumps(large_export(args.size, 1000)).encode()
    with (
        tempfile.TemporaryDirectory() as directory,
        prepared_database(args.database, directory) as url,
    ):
        result = asyncio.run(run(url, data, args.runs))
    summary = {
        "bench": "import_trello",
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "database": "sqlite" if args.database == "sqlite" else "postgresql",
        "bytes": len(data),
        "actions": 1000,
        **result,
    }
    print(
        f"{len(data):,} bytes, {result['rows']} rows: import {result['import_s']:.3f} s, "
        f"bare insert {result['bare_insert_s']:.3f} s, ratio {result['ratio']:.1f}"
    )
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    path = results / f"import-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(summary, indent=2) + "\n")
    print(f"results: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
