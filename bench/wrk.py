"""`wrk` (the Debian package) as the read-path bench's load generator, on the load core.

wrk's human summary changes between versions and rounds its figures; a Lua `done()` hook prints
one JSON line instead (latencies in µs, as wrk keeps them), which is what we parse. A
`response()` hook counts the status codes, so that a figure made of 404s or of 200s where 304s
were expected cannot pass for a good one.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bench.harness import LOAD_CORE

MARK = "WRK_JSON "
#: What a browser sends with every request; the app may compress, and visitors accept it.
BROWSER_HEADERS = {"Accept-Encoding": "gzip, deflate, br", "Accept": "*/*"}

DONE_HOOK = r"""
local threads = {}
function setup(thread) table.insert(threads, thread) end
statuses = {}
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      counts[#counts + 1] = string.format('"%d":%d', status, n)
    end
  end
  local e = summary.errors
  io.write(string.format(
    '%s{"requests":%d,"duration_us":%d,"bytes":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,' ..
    '"max_us":%d,"mean_us":%.1f,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,' ..
    '"timeout":%d},"statuses":{%s}}\n',
    "MARK", summary.requests, summary.duration, summary.bytes, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency.max, latency.mean, e.connect, e.read,
    e.write, e.status, e.timeout, table.concat(counts, ",")))
end
"""


@dataclass
class WrkResult:
    requests: int
    duration_us: int
    bytes: int
    p50_us: int
    p90_us: int
    p99_us: int
    max_us: int
    mean_us: float
    errors: dict[str, int]
    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.requests / (self.duration_us / 1e6) if self.duration_us else 0.0

    @property
    def p50_ms(self) -> float:
        return self.p50_us / 1000

    @property
    def p99_ms(self) -> float:
        return self.p99_us / 1000

    def only(self, *statuses: int) -> bool:
        """Every answer had one of these statuses, and nothing failed on the way."""
        wanted = {str(status) for status in statuses}
        return self.requests > 0 and set(self.statuses) <= wanted and not any(self.errors.values())


def ensure_wrk() -> str:
    """wrk's path, installing the Debian package first if it is not on PATH."""
    found = shutil.which("wrk")
    if found:
        return found
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        raise SystemExit(
            "pages: wrk is not installed and cannot be installed here (it needs apt-get, as "
            "root): install the Debian package wrk, then run the bench again."
        )
    for command in ([apt, "update", "-qq"], [apt, "install", "-y", "-qq", "wrk"]):
        done = subprocess.run(command, capture_output=True, text=True)  # noqa: S603
        if done.returncode != 0:
            raise SystemExit(
                f"pages: wrk is not installed and `{' '.join(command)}` failed:\n{done.stderr}"
            )
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("pages: apt-get installed wrk but it is not on PATH.")
    return found


def pin_to_load_core() -> None:
    """wrk's `preexec_fn`: the load generator on its own core, away from the server's."""
    if (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {LOAD_CORE})


def lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string of ASCII is a valid Lua string literal


def script(paths: list[str], headers: dict[str, str]) -> str:
    """The Lua script: the headers, the paths taken in turn (one path: wrk's own fast path,
    with no `request()` call per request), and the hooks."""
    lines = [f"wrk.headers[{lua_string(k)}] = {lua_string(v)}" for k, v in headers.items()]
    if len(paths) == 1:
        lines.append(f"wrk.path = {lua_string(paths[0])}")
    else:
        listed = ", ".join(lua_string(path) for path in paths)
        lines += [
            f"local paths = {{{listed}}}",
            "local turn = 0",
            "function request()",
            "  turn = turn % #paths + 1",
            "  return wrk.format(nil, paths[turn])",
            "end",
        ]
    return "\n".join(lines) + DONE_HOOK.replace('"MARK"', lua_string(MARK))


def run_wrk(
    base_url: str,
    paths: list[str],
    *,
    seconds: float,
    connections: int,
    headers: dict[str, str] | None = None,
) -> WrkResult:
    """One wrk run of `seconds` on one thread (it has one core), `connections` kept open."""
    for path in paths:
        if not path.isascii():
            raise ValueError(f"quote the path first: {path!r}")
    with tempfile.TemporaryDirectory(prefix="toolbox-wrk-") as tmp:
        lua = Path(tmp) / "figure.lua"
        lua.write_text(script(paths, {**BROWSER_HEADERS, **(headers or {})}))
        command = [
            ensure_wrk(),
            "--threads",
            "1",
            "--connections",
            str(connections),
            "--duration",
            f"{max(1, round(seconds))}s",
            # A crowd on one Python process can wait seconds: those are latencies, not failures.
            "--timeout",
            "30s",
            "--script",
            str(lua),
            f"{base_url}{paths[0]}",
        ]
        done = subprocess.run(  # noqa: S603 -- wrk, fixed arguments
            command, capture_output=True, text=True, preexec_fn=pin_to_load_core
        )
    for line in done.stdout.splitlines():
        if line.startswith(MARK):
            return WrkResult(**json.loads(line[len(MARK) :]))
    host = urlsplit(base_url).netloc
    raise RuntimeError(
        f"wrk on {host}{paths[0]} printed no result (exit {done.returncode}):\n"
        f"{done.stdout[-2000:]}{done.stderr[-2000:]}"
    )
