"""The read-path bench's board just after a change (bench/pages.py): the first GET of the page
after each card edit over HTTP, and the render cost per card, in process, after an edit each
time. Both edit through the API as the facilitator, as a room's facilitator does."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from bench.harness import AppServer, percentile
from bench.pages_data import CARDS, Population
from bench.pages_report import Figure
from bench.room import get, request_bytes


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class CardEditor:
    """Edits one card through the API as the facilitator, knowing its version each time."""

    def __init__(self, card_id: int, token: str) -> None:
        self.card_id, self.token, self.version, self.edits = card_id, token, 1, 0

    def request(self) -> tuple[str, dict[str, Any], dict[str, str]]:
        self.edits += 1
        body = {"version": self.version, "title": f"Canevas de cadrage, relu {self.edits} fois"}
        return f"/api/v1/cards/{self.card_id}", body, bearer(self.token)

    def answered(self, response: httpx.Response) -> None:
        self.version = int(response.raise_for_status().json()["version"])


async def after_change(server: AppServer, population: Population, rounds: int) -> Figure:
    """The first GET of the board page after each edit, on a connection kept alive."""
    editor = CardEditor(population.card_ids[0], population.facilitator_token)
    page = request_bytes(server.port, f"/b/{population.slug}")
    times: list[float] = []
    statuses: dict[str, int] = {}
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        try:
            for _ in range(rounds):
                path, body, headers = editor.request()
                editor.answered(await http.patch(path, json=body, headers=headers))
                began = time.perf_counter()
                answer = await get(reader, writer, page)
                times.append((time.perf_counter() - began) * 1000)
                statuses[str(answer.status)] = statuses.get(str(answer.status), 0) + 1
        finally:
            writer.close()
    return Figure(
        name=f"board page, first GET after an edit ({rounds} rounds)",
        rps=None,
        p50_ms=percentile(times, 50),
        p99_ms=percentile(times, 99),
        requests=rounds,
        statuses=statuses,
        wrong="" if set(statuses) == {"200"} else f"unexpected answers: {statuses}",
    )


async def render_cost(url: str, population: Population, renders: int) -> Figure:
    """CPU per card of one board page rendered after an edit each time, and sent uncompressed.

    Counted: the app's CPU for the GET (middleware, routing, queries, the template), judged
    against the target; printed beside it, the whole GET in this process, httpx's ASGI transport
    included (building the request and reading the answer are the client's work, and cost
    about half a millisecond each: an `import trio` tried and failed on every request among
    them). Not counted: the edit, nor what it sets off (the event's publication and live
    rendering), which is left to finish before the GET starts. Printed beside it, not judged:
    gzipping that new page once (what the first compressed answer costs, then kept for the
    room), and a cold render, with nothing drawn before (the first reader of each audience and
    language after a start)."""
    from toolbox.app import create_app
    from toolbox.board.jinja import forget_drawn
    from toolbox.settings import Settings

    settings = Settings(database_url=url, secret_key="bench", base_url="http://bench")  # noqa: S106
    app = create_app(settings)
    editor = CardEditor(population.card_ids[1], population.facilitator_token)
    costs: list[float] = []
    wholes: list[float] = []
    gzips: list[float] = []
    colds: list[float] = []
    page = f"/b/{population.slug}"
    plain = {"Accept-Encoding": "identity"}
    packed = {"Accept-Encoding": "gzip"}
    in_app = [0.0]

    async def timed_app(scope: Any, receive: Any, send: Any) -> None:
        began = time.process_time()
        try:
            await app(scope, receive, send)
        finally:
            in_app[0] += time.process_time() - began

    async def cpu_per_card(headers: dict[str, str], whole: list[float] | None = None) -> float:
        """The app's CPU per card for one GET (and the whole GET's, added to `whole`)."""
        in_app[0] = 0.0
        began = time.process_time()
        (await http.get(page, headers=headers)).raise_for_status()
        if whole is not None:
            whole.append((time.process_time() - began) * 1e6 / CARDS)
        return in_app[0] * 1e6 / CARDS

    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=timed_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            (await http.get(page, headers=plain)).raise_for_status()  # templates compiled
            for n in range(renders):
                path, body, headers = editor.request()
                editor.answered(await http.patch(path, json=body, headers=headers))
                await asyncio.sleep(0.05)  # the edit's aftermath runs now, not in the timing
                if n % 2:
                    forget_drawn()
                    colds.append(await cpu_per_card(plain))
                    continue
                costs.append(await cpu_per_card(plain, wholes))
                gzips.append(await cpu_per_card(packed))
    figure = Figure(
        name=f"uncached render, the app's µs of CPU per card ({len(costs)} renders)",
        value=percentile(costs, 50),
        unit="µs/card",
        requests=len(costs),
        note=(
            f"min {min(costs):.1f}, max {max(costs):.1f}; the whole GET, the client's part "
            f"included: {percentile(wholes, 50):.1f}; gzipping it once: "
            f"+{percentile(gzips, 50):.1f}; cold (nothing drawn before): "
            f"{percentile(colds, 50) if colds else float('nan'):.1f}"
        ),
    )
    figure.check("≤ 10 µs per card", figure.value is not None and figure.value <= 10)
    return figure
