"""Attacks through the browser, modelled on advisories of Wekan, Kanboard, Planka, Focalboard,
Vikunja and Nextcloud: cross-site requests and websockets, open redirects, path traversal.

Each case names the product and the advisory's short title it is modelled on, and asserts both
the refusal and that nothing changed (tests/security/checks.py). The world:
tests/security/world.py."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from tests.accounts.builders import PASSWORD
from tests.factories import origin, signed_in
from tests.security.checks import unchanged
from tests.security.world import World
from tests.servers import LiveServer
from toolbox.board.models import Card
from toolbox.db import Database

# --- cross-site requests and redirects --------------------------------------------------------


async def test_wekan_csrf_cross_origin_post_with_the_session_cookie(
    world: World, db: Database, server: LiveServer
) -> None:
    """Wekan / Kanboard: CSRF on board actions (a form on another site posts with the cookie)."""
    kit = world.kits["public"]
    slug = world.boards["public"].slug
    async with httpx.AsyncClient(base_url=server.url) as browser:
        await signed_in(browser, world.people["facilitator"])
        for headers in (
            {"Origin": "https://evil.example"},
            {"Origin": "null"},
            {"Sec-Fetch-Site": "cross-site"},  # no Origin, but the browser says where it came from
        ):
            await unchanged(
                db,
                Card,
                kit.card_id,
                lambda headers=headers: browser.post(  # type: ignore[misc]
                    f"/b/{slug}/cards/{kit.card_id}/archive", headers=headers
                ),
                {403},
            )


async def test_kanboard_csrf_with_a_text_plain_form(
    world: World, db: Database, server: LiveServer
) -> None:
    """Kanboard: CSRF through a `text/plain` form posting JSON-looking data to the API."""
    kit = world.kits["public"]
    async with httpx.AsyncClient(base_url=server.url) as browser:
        await signed_in(browser, world.people["facilitator"])
        await unchanged(
            db,
            Card,
            kit.card_id,
            lambda: browser.post(
                f"/api/v1/cards/{kit.card_id}/move",
                content=json.dumps({"column_id": kit.column_id, "index": 5}),
                headers={"Content-Type": "text/plain", "Origin": "https://evil.example"},
            ),
            {403},
        )


async def test_planka_cross_site_websocket_hijacking(world: World, server: LiveServer) -> None:
    """Planka / Focalboard: cross-site websocket hijacking (the handshake carries the cookie)."""
    async with httpx.AsyncClient(base_url=server.url) as browser:
        await signed_in(browser, world.people["facilitator"])
        cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
    url = f"ws://127.0.0.1:{server.port}/b/{world.boards['members'].slug}/ws?format=json"
    for bad in ("https://evil.example", "null", f"http://127.0.0.1:{server.port}.evil.example"):
        with pytest.raises(InvalidStatus) as refused:
            async with connect(url, additional_headers={"Cookie": cookie, "Origin": bad}):
                pass
        assert refused.value.response.status_code == 403, bad
    # The app's own origin is let in, so the refusals above are the Origin's doing.
    async with connect(url, additional_headers={"Cookie": cookie, "Origin": server.url}) as ws:
        await ws.send(json.dumps({"resume": 0}))


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "/\t/evil.example",
        "///evil.example",
        "http:evil.example",
        "\\\\evil.example",
    ],
)
async def test_wekan_open_redirect_after_sign_in(
    target: str, world: World, server: LiveServer
) -> None:
    """Wekan / Vikunja: open redirect through the `next`/`redirect` parameter of the login."""
    async with httpx.AsyncClient(base_url=server.url) as browser:
        response = await browser.post(
            "/login",
            data={"email": world.people["participant"].email, "password": PASSWORD, "next": target},
            headers=origin(browser),
        )
        assert response.status_code == 303
        location = response.headers["location"]
        # Resolved as a browser resolves it (backslashes and tabs included), it stays here.
        resolved = urlsplit(httpx.URL(server.url).join(location.replace("\\", "/")).__str__())
        assert resolved.netloc == f"127.0.0.1:{server.port}", location
        choose = await browser.post(
            "/language", data={"locale": "fr_CA", "next": target}, headers=origin(browser)
        )
        assert urlsplit(str(httpx.URL(server.url).join(choose.headers["location"]))).netloc == (
            f"127.0.0.1:{server.port}"
        )


@pytest.mark.parametrize(
    "path",
    [
        "/static/../pyproject.toml",
        "/static/%2e%2e/pyproject.toml",
        "/static/..%2fpyproject.toml",
        "/static/%2e%2e%2f%2e%2e%2fetc/passwd",
        "/static/....//pyproject.toml",
        "/static/vendor/../../toolbox/settings.py",
        "/static/%252e%252e/pyproject.toml",
    ],
)
async def test_nextcloud_path_traversal_in_static_files(path: str, server: LiveServer) -> None:
    """Nextcloud: path traversal in a file-serving endpoint."""
    async with httpx.AsyncClient(base_url=server.url) as raw:
        request = raw.build_request("GET", path)
        request.url = request.url.copy_with(raw_path=path.encode())
        response = await raw.send(request)
    assert response.status_code in {400, 404}
    assert "[project]" not in response.text and "root:" not in response.text
    assert "TOOLBOX_" not in response.text
