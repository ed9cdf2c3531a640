"""The HTTP layer as Chromium meets it: the strict Content-Security-Policy refuses nothing the
pages need, the hashed files load (Sortable too, from the board's data attribute), the
favicon (written into the page) is drawn, and a page seen before is revalidated with its ETag."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, ConsoleMessage, Response, WebSocket

from tests.e2e.sessions import signed_in_page
from tests.servers import LiveServer
from toolbox.demo import FACILITATOR

pytestmark = pytest.mark.browser
BOARD = "/b/accelerateur-numerique"


async def test_pages_run_under_the_csp_with_hashed_files_and_revalidate(
    browser: Browser, demo_server: LiveServer
) -> None:
    context, page = await signed_in_page(browser, demo_server, FACILITATOR, then=BOARD)
    refused: list[str] = []
    statics: list[Response] = []
    sockets: list[WebSocket] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            refused.append(message.text)

    page.on("console", on_console)
    page.on("response", lambda r: statics.append(r) if "/static/" in r.url else None)
    page.on("websocket", lambda socket: sockets.append(socket))
    first = await page.goto(f"{demo_server.url}{BOARD}")
    assert first is not None and first.status == 200 and first.headers["etag"]
    await page.wait_for_function("() => window.Sortable !== undefined")
    await page.wait_for_function("() => document.querySelector('.column .card') !== null")
    assert sockets and sockets[0].url.endswith(f"{BOARD}/ws")
    for path in (f"{BOARD}/cards/1", f"{BOARD}/brigade", f"{BOARD}/manage", "/me", BOARD):
        last = await page.goto(f"{demo_server.url}{path}")
    assert refused == []

    assert statics and all(r.status in {200, 304} for r in statics)
    sortable = [r for r in statics if "Sortable.min." in r.url]
    assert sortable and sortable[0].headers["cache-control"].endswith("immutable")
    # The icon travels inside the page (a data: URL): the browser draws it as an image.
    icon = await page.evaluate(
        """() => new Promise(done => {
            const image = new Image();
            image.onload = () => done(image.naturalWidth);
            image.onerror = () => done(0);
            image.src = document.querySelector('link[rel=icon]').href;
        })"""
    )
    assert icon > 0

    # The page seen before: the browser asks with its ETag (no-cache), the server says 304.
    assert last is not None
    again = await page.goto(f"{demo_server.url}{BOARD}")
    assert again is not None
    sent = await again.request.all_headers()
    assert sent.get("if-none-match") == last.headers["etag"]
    await context.close()
