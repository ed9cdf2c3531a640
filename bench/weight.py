"""Page weight in Chromium (issue 16): what a first visit costs, and when a big board is usable.

For the demo board as a visitor and as its facilitator, a card page and the brigade: a fresh
browser context (cold cache) loads the page at 1366×768; Chromium's own network log (the DevTools
protocol) gives the bytes transferred (compressed, headers included: `encodedDataLength`) and the
requests (the websocket's handshake is not one); the page gives its DOM elements. From those
three, the EcoIndex score and grade, by the published formula (DOM × 3, requests × 2, size × 1,
each placed among the quantiles of the HTTP Archive; https://www.ecoindex.fr/comment-ca-marche/).
The formula is written out here: the only packaged implementation on npm is licensed
non-commercial, no derivatives, which this AGPL project cannot depend on.

Then a board of `--cards` cards (1,000) opened by its facilitator: the time from the start of the
navigation until a card can be dragged (SortableJS attached to a column's list).

    .venv/bin/python bench/weight.py [--cards 1000] [--quick]

Results go to bench/results/weight-*.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Browser, BrowserContext, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import AppServer, pin_load_generator, prepared_database  # noqa: E402

CHROMIUM = os.environ.get("TOOLBOX_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SLUG = "accelerateur-numerique"
FACILITATOR = ("animation@example.org", "animation-demo")
ADMIN = "admin@example.org"  # the demo's; an admin may create boards
TARGETS = {"kb": 50.0, "requests": 5, "ecoindex": 80.0, "draggable_ms": 1000.0}

# EcoIndex: the quantiles of DOM elements, requests and size (KB) over the HTTP Archive.
QUANTILES_DOM = [0, 47, 75, 159, 233, 298, 358, 417, 476, 537, 603, 674, 753, 843, 949, 1076]
QUANTILES_DOM += [1237, 1459, 1801, 2479, 594601]
QUANTILES_REQ = [0, 2, 15, 25, 34, 42, 49, 56, 63, 70, 78, 86, 95, 105, 117, 130, 147, 170]
QUANTILES_REQ += [205, 281, 3920]
QUANTILES_KB = [0, 1.37, 144.7, 319.53, 479.46, 631.97, 783.38, 937.91, 1098.62, 1265.47]
QUANTILES_KB += [1448.32, 1648.27, 1876.08, 2142.06, 2465.37, 2866.31, 3401.59, 4155.73]
QUANTILES_KB += [5400.08, 8037.54, 223212.26]
GRADES = [(80, "A"), (70, "B"), (55, "C"), (40, "D"), (25, "E"), (10, "F")]


def quantile(quantiles: Sequence[float], value: float) -> float:
    for i in range(1, len(quantiles)):
        if value < quantiles[i]:
            return i - 1 + (value - quantiles[i - 1]) / (quantiles[i] - quantiles[i - 1])
    return len(quantiles) - 1


def ecoindex(dom: int, requests: int, kb: float) -> tuple[float, str]:
    score = (
        100
        - 5
        * (
            3 * quantile(QUANTILES_DOM, dom)
            + 2 * quantile(QUANTILES_REQ, requests)
            + quantile(QUANTILES_KB, kb)
        )
        / 6
    )
    grade = next((letter for floor, letter in GRADES if score > floor), "G")
    return round(score, 1), grade


@dataclass
class Weight:
    page: str
    path: str
    kb: float
    requests: int
    dom: int
    ecoindex: float
    grade: str

    @property
    def met(self) -> bool:
        return (
            self.kb <= TARGETS["kb"]
            and self.requests <= TARGETS["requests"]
            and self.ecoindex >= TARGETS["ecoindex"]
        )


def signed_in(browser: Browser, base: str, who: tuple[str, str] | None) -> BrowserContext:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, base_url=base)
    if who is not None:
        page = context.new_page()
        page.goto("/login")
        page.fill("input[name=email]", who[0])
        page.fill("input[name=password]", who[1])
        page.press("input[name=password]", "Enter")
        page.wait_for_url(lambda url: "/login" not in url, timeout=10_000)
        page.close()
    return context


def weigh(
    browser: Browser, base: str, label: str, path: str, who: tuple[str, str] | None
) -> Weight:
    """One first visit: an empty cache (the sign-in, if any, happened on another page)."""
    context = signed_in(browser, base, who)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.clearBrowserCache")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    requests: set[str] = set()
    sizes: dict[str, float] = {}
    cdp.on(
        "Network.requestWillBeSent",
        lambda event: (
            requests.add(event["requestId"])
            if not event["request"]["url"].startswith("data:")
            else None
        ),
    )
    cdp.on(
        "Network.loadingFinished",
        lambda event: sizes.__setitem__(event["requestId"], event["encodedDataLength"]),
    )
    page.goto(path, wait_until="load")
    page.wait_for_timeout(1000)  # what the page fetches once loaded counts too
    dom = int(page.evaluate("document.getElementsByTagName('*').length"))
    context.close()
    kb = sum(sizes.values()) / 1024
    score, grade = ecoindex(dom, len(requests), kb)
    return Weight(label, path, round(kb, 1), len(requests), dom, score, grade)


def toolbox(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 -- our own interpreter, fixed arguments
        [sys.executable, "-m", "toolbox.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def big_board(base: str, token: str, cards: int) -> str:
    """A board of `cards` cards in ten columns, made through the API by the demo's admin."""
    slug = "mille-ressources"
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
        body = {"slug": slug, "title": "Mille ressources", "visibility": "public"}
        http.post("/api/v1/boards", json=body).raise_for_status()
        columns = [
            http.post(f"/api/v1/boards/{slug}/columns", json={"title": f"Catégorie {n + 1}"})
            .raise_for_status()
            .json()["id"]
            for n in range(10)
        ]
        for n in range(cards):
            card = {
                "column_id": columns[n % len(columns)],
                "title": f"Ressource {n + 1} : guide de la transformation numérique",
                "description": "Un outil d'autodiagnostic pour les organismes culturels.",
            }
            http.post(f"/api/v1/boards/{slug}/cards", json=card).raise_for_status()
    return slug


def draggable_ms(browser: Browser, base: str, slug: str) -> float:
    """From the start of the navigation until SortableJS holds a column's cards, median of 3."""
    context = signed_in(browser, base, FACILITATOR)
    times = []
    for _ in range(3):
        page = context.new_page()
        page.goto(f"/b/{slug}", wait_until="commit")
        page.wait_for_function(
            "() => { const list = document.querySelector('ol.cards');"
            " return list && window.Sortable && Sortable.get(list); }",
            polling="raf",
            timeout=30_000,
        )
        times.append(float(page.evaluate("performance.now()")))
        page.close()
    context.close()
    return round(sorted(times)[1], 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", type=int, help="the big board's cards (1000; quick: 200)")
    parser.add_argument("--quick", action="store_true", help="a smoke run")
    args = parser.parse_args()
    cards = args.cards or (200 if args.quick else 1000)
    pin_load_generator()
    with (
        tempfile.TemporaryDirectory(prefix="toolbox-weight-") as tmp,
        prepared_database("sqlite", tmp) as url,
    ):
        env = {**os.environ, "TOOLBOX_DATABASE_URL": url, "TOOLBOX_SECRET_KEY": "bench"}
        toolbox(env, "demo")
        with AppServer(url) as server:
            base = server.url
            token = toolbox(env, "user", "token", ADMIN).splitlines()[-1].strip()
            board = httpx.get(f"{base}/api/v1/boards/{SLUG}").raise_for_status().json()
            card_id = next(card["id"] for column in board["columns"] for card in column["cards"])
            pages = [
                ("board (visitor)", f"/b/{SLUG}", None),
                ("board (facilitator)", f"/b/{SLUG}", FACILITATOR),
                ("card page", f"/b/{SLUG}/cards/{card_id}", None),
                ("brigade", f"/b/{SLUG}/brigade", None),
            ]
            slug = big_board(base, token, cards)
            toolbox(env, "member", "add", slug, FACILITATOR[0], "--role", "facilitator")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                weights = [weigh(browser, base, *page) for page in pages]
                drag = draggable_ms(browser, base, slug)
                browser.close()
    print(f"\n{'page':<22}{'KB':>7}{'req':>5}{'DOM':>6}{'EcoIndex':>10}  target")
    for weight in weights:
        print(
            f"{weight.page:<22}{weight.kb:>7.1f}{weight.requests:>5}{weight.dom:>6}"
            f"{weight.ecoindex:>8.1f} {weight.grade}  {'met' if weight.met else 'MISSED'}"
        )
    met = drag <= TARGETS["draggable_ms"]
    print(f"{cards}-card board draggable after {drag:.0f} ms: {'met' if met else 'MISSED'}")
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    summary: dict[str, Any] = {
        "pages": [{**asdict(w), "met": w.met} for w in weights],
        "cards": cards,
        "draggable_ms": drag,
        "targets": TARGETS,
    }
    path = results / f"weight-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    print(f"results: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
