"""The browser protections of DESIGN.md §6, from one place: every response and the websocket's
handshake carry them, no template holds a script the policy would have to allow, and a refusal
by the middleware is a page for a browser and JSON for the API."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser
from websockets.asyncio.client import connect

from tests.e2e.sessions import signed_in_page
from tests.factories import make_board, make_user, signed_in
from tests.servers import LiveServer
from toolbox.db import Database
from toolbox.demo import FACILITATOR
from toolbox.templating import TEMPLATE_DIR

DEMO_SLUG = "accelerateur-numerique"

EXPECTED = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "x-frame-options": "DENY",
}


def _check(headers: httpx.Headers | dict[str, str]) -> None:
    lowered = {name.lower(): value for name, value in headers.items()}
    policy = lowered["content-security-policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split("; ")}
    assert directives["script-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    for name, value in EXPECTED.items():
        assert lowered[name] == value, name


async def test_every_kind_of_response_carries_the_headers(
    db: Database, server: LiveServer, client: httpx.AsyncClient
) -> None:
    person = await make_user(db)
    board = await make_board(db, facilitator=person)
    await signed_in(client, person)
    answers = [
        await client.get("/"),
        await client.get(f"/b/{board.slug}"),
        await client.get("/api/v1/boards"),
        await client.get("/no/such/page"),
        await client.get("/static/vendor/htmx.min.js"),
        await client.get(f"/b/{board.slug}/feed.atom"),
    ]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 404, 200, 200]
    revalidated = await client.get(
        f"/b/{board.slug}", headers={"If-None-Match": answers[1].headers["etag"]}
    )
    assert revalidated.status_code == 304
    for answer in [*answers, revalidated]:
        _check(answer.headers)
        # Served over plain HTTP in development: no HSTS, which would lock the host to HTTPS.
        assert "strict-transport-security" not in answer.headers


async def test_the_websocket_handshake_carries_them_too(
    db: Database, server: LiveServer, client: httpx.AsyncClient
) -> None:
    person = await make_user(db)
    board = await make_board(db, facilitator=person)
    url = f"ws://127.0.0.1:{server.port}/b/{board.slug}/ws?format=json"
    async with connect(url) as socket:
        assert socket.response is not None
        _check(dict(socket.response.headers.raw_items()))


@pytest.fixture(scope="module")
def production_server(database_url: str) -> Iterator[LiveServer]:
    live = LiveServer(database_url, env={"TOOLBOX_ENV": "production"})
    live.start()
    yield live
    live.stop()


async def test_production_adds_hsts(production_server: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=production_server.url) as http:
        answer = await http.get("/")
        refused = await http.get("/no/such/page")
    for response in (answer, refused):
        _check(response.headers)
        assert response.headers["strict-transport-security"] == (
            "max-age=63072000; includeSubDomains"
        )


async def test_a_cross_site_form_is_refused_with_a_page_in_the_persons_language(
    db: Database, server: LiveServer, client: httpx.AsyncClient
) -> None:
    person = await make_user(db)
    board = await make_board(db, facilitator=person)
    await signed_in(client, person)
    attack = {"Origin": "https://evil.example", "Accept": "text/html,application/xhtml+xml"}
    french = await client.post(f"/b/{board.slug}/columns", data={"title": "x"}, headers=attack)
    assert french.status_code == 403
    assert french.headers["content-type"].startswith("text/html")
    assert "Ce formulaire a été envoyé depuis un autre site" in french.text
    assert '<html lang="fr-CA"' in french.text
    _check(french.headers)
    english = await client.post(
        f"/b/{board.slug}/columns",
        data={"title": "x"},
        headers={**attack, "Accept-Language": "en"},
    )
    assert english.status_code == 403
    assert "This form was sent from another site; it was refused." in english.text
    api = await client.post(
        f"/api/v1/boards/{board.slug}/columns",
        json={"title": "x"},
        headers={"Origin": "https://evil.example", "Accept": "text/html"},
    )
    assert api.status_code == 403
    assert api.json()["error"]["code"] == "cross_origin"


async def test_a_body_too_large_is_a_page_for_a_browser_and_json_for_the_api(
    db: Database, server: LiveServer, client: httpx.AsyncClient
) -> None:
    person = await make_user(db)
    board = await make_board(db, facilitator=person)
    await signed_in(client, person)
    big = "x" * (1024 * 1024 + 10)
    page = await client.post(
        f"/b/{board.slug}/columns",
        content=f"title={big}",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "text/html",
            "Accept-Language": "en",
        },
    )
    assert page.status_code == 413
    assert page.headers["content-type"].startswith("text/html")
    assert "The request is too large (1 MiB at most)." in page.text
    api = await client.post(
        f"/api/v1/boards/{board.slug}/columns",
        content=json.dumps({"title": big}),
        headers={"Content-Type": "application/json", "Accept-Language": "en"},
    )
    assert api.status_code == 413
    assert api.json()["error"] == {
        "code": "too_large",
        "message": "The request is too large (1 MiB at most).",
    }


async def test_an_invalid_token_is_refused_in_json(
    server: LiveServer, client: httpx.AsyncClient
) -> None:
    answer = await client.get(
        "/api/v1/boards",
        headers={"Authorization": "Bearer not-a-token", "Accept-Language": "en"},
    )
    assert answer.status_code == 401
    assert answer.json()["error"]["message"] == "This API token is not valid."
    _check(answer.headers)


SCRIPT = re.compile(r"<script\b(?P<attributes>[^>]*)>", re.IGNORECASE)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"javascript:", re.IGNORECASE)
HTMX_SCRIPT = re.compile(r"\shx-on[:\-]", re.IGNORECASE)


def _templates() -> list[Path]:
    return sorted(TEMPLATE_DIR.rglob("*.html")) + sorted(TEMPLATE_DIR.rglob("*.xml"))


def test_no_template_holds_inline_script() -> None:
    templates = _templates()
    assert len(templates) > 20
    found = []
    for path in templates:
        text = path.read_text()
        for match in SCRIPT.finditer(text):
            attributes = match["attributes"]
            if "src=" not in attributes and 'type="application/ld+json"' not in attributes:
                found.append(f"{path.name}: {match.group(0)}")
        found += [f"{path.name}: handler" for _ in HANDLER.finditer(text)]
        found += [f"{path.name}: javascript: URL" for _ in JAVASCRIPT_URL.finditer(text)]
        found += [f"{path.name}: hx-on" for _ in HTMX_SCRIPT.finditer(text)]
    assert found == []


def test_the_scan_finds_what_it_looks_for() -> None:
    """The patterns above would catch each kind of inline script."""
    bad = [
        "<script>alert(1)</script>",
        '<button onclick="go()">',
        '<a href="javascript:go()">',
        '<div hx-on:click="go()">',
    ]
    caught = [
        any("src=" not in match["attributes"] for match in SCRIPT.finditer(text))
        or bool(HANDLER.search(text) or JAVASCRIPT_URL.search(text) or HTMX_SCRIPT.search(text))
        for text in bad
    ]
    assert caught == [True, True, True, True]


def test_htmx_runs_no_script_it_receives() -> None:
    base = (TEMPLATE_DIR / "base.html").read_text()
    match = re.search(r"<meta name=\"htmx-config\" content='(?P<config>[^']*)'>", base)
    assert match is not None
    config = json.loads(match["config"])
    assert config["allowEval"] is False
    assert config["allowScriptTags"] is False
    assert config["selfRequestsOnly"] is True


@pytest.mark.browser
async def test_no_page_breaks_the_policy_in_chromium(
    browser: Browser, demo_server: LiveServer
) -> None:
    """Chromium reports any script, style or frame the policy blocks; the JSON-LD block is data,
    which the policy leaves alone."""
    context, page = await signed_in_page(browser, demo_server, FACILITATOR)
    await context.add_init_script(
        "window.__violations = [];"
        "document.addEventListener('securitypolicyviolation',"
        " e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    board = f"{demo_server.url}/b/{DEMO_SLUG}"
    await page.goto(board)
    card = await page.locator(f"a[href^='/b/{DEMO_SLUG}/cards/']").first.get_attribute("href")
    assert card is not None
    paths = [
        "/",
        "/me",
        f"/b/{DEMO_SLUG}",
        card,
        f"/b/{DEMO_SLUG}/manage",
        f"/b/{DEMO_SLUG}/brigade",
        f"/b/{DEMO_SLUG}/room",
        f"/b/{DEMO_SLUG}/print",
        f"/b/{DEMO_SLUG}/cards/new",
        f"/b/{DEMO_SLUG}/brigade/report",
    ]
    for path in paths:
        answer = await page.goto(f"{demo_server.url}{path}")
        assert answer is not None and answer.status == 200, path
        await page.wait_for_load_state("networkidle")
        if path == card:
            assert await page.locator("script[type='application/ld+json']").count() == 1
        assert await page.evaluate("window.__violations") == [], path
    assert [text for text in messages if "Content Security Policy" in text] == []
    await context.close()
