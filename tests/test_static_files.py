"""Static files: named by their content, kept a year by browsers, compressed once; the plain
names still served; the favicon."""

from __future__ import annotations

import gzip
import html
import re
from pathlib import Path
from urllib.parse import unquote

import brotli
import httpx

from tests.factories import make_board, make_user, signed_in
from toolbox.db import Database
from toolbox.static_files import (
    BUNDLES,
    IMMUTABLE,
    StaticFiles,
    accepts,
    content_hash,
    hashed_name,
)
from toolbox.urls import url_path

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"
HASHED = re.compile(r"^/static/(?P<stem>.+)\.(?P<hash>[0-9a-f]{12})\.(?P<suffix>\w+)$")


def test_a_changed_file_gets_another_name_and_the_same_file_the_same(tmp_path: Path) -> None:
    assert hashed_name("app.css", b"a{}") == hashed_name("app.css", b"a{}")
    assert hashed_name("app.css", b"a{}") != hashed_name("app.css", b"b{}")
    assert hashed_name("vendor/htmx.min.js", b"x") == f"vendor/htmx.min.{content_hash(b'x')}.js"
    assert hashed_name("LICENSE", b"x") == f"LICENSE.{content_hash(b'x')}"

    (tmp_path / "app.css").write_text("body { color: #111; }")
    before = StaticFiles(tmp_path).url_name("app.css")
    (tmp_path / "app.css").write_text("body { color: #222; }")
    after = StaticFiles(tmp_path).url_name("app.css")
    assert before != after and before.startswith("app.") and after.endswith(".css")


def test_hidden_files_are_not_served_and_unknown_names_stay_as_they_are(tmp_path: Path) -> None:
    (tmp_path / ".installed").write_text("")
    (tmp_path / "board.js").write_text("'use strict';")
    files = StaticFiles(tmp_path)
    assert set(files.by_name) == {"board.js"}
    assert files.url_name("missing.js") == "missing.js"


def test_accept_encoding_is_read_with_its_weights() -> None:
    assert accepts("gzip, deflate, br", "gzip") and accepts("gzip, deflate, br", "br")
    assert accepts("br;q=1.0, gzip;q=0.8", "gzip")
    assert accepts("*", "br") and accepts("x-gzip", "gzip")
    assert not accepts("gzip;q=0", "gzip")
    assert not accepts("gzip", "br")
    assert not accepts("identity", "gzip")
    assert not accepts("", "gzip")
    assert not accepts("*, gzip;q=0", "gzip")


def test_templates_and_code_get_the_hashed_names_without_a_request() -> None:
    for name in ("app.css", "board.js", "vendor/htmx.min.js", "vendor/Sortable.min.js"):
        path = url_path("static", path=name)
        found = HASHED.match(path)
        assert found, path
        assert found["hash"] == content_hash((STATIC / name).read_bytes())
        assert f"{found['stem']}.{found['suffix']}" == name


async def test_hashed_names_are_immutable_and_serve_the_right_content(
    client: httpx.AsyncClient,
) -> None:
    for name in ("app.css", "board.js", "vendor/htmx.min.js", "favicon.svg"):
        path = url_path("static", path=name)
        response = await client.get(path, headers={"Accept-Encoding": "identity"})
        assert response.status_code == 200, path
        assert (
            response.headers["cache-control"]
            == IMMUTABLE
            == ("public, max-age=31536000, immutable")
        )
        assert response.content == (STATIC / name).read_bytes(), path
        assert "content-encoding" not in response.headers
        assert response.headers["x-content-type-options"] == "nosniff"
        again = await client.get(
            path,
            headers={"Accept-Encoding": "identity", "If-None-Match": response.headers["etag"]},
        )
        assert again.status_code == 304 and again.content == b""
    assert (await client.get("/static/app.css")).headers["content-type"].startswith("text/css")
    js = await client.get(url_path("static", path="board.js"))
    assert js.headers["content-type"].startswith("text/javascript")


async def on_the_wire(
    client: httpx.AsyncClient, path: str, accept_encoding: str
) -> tuple[httpx.Response, bytes]:
    """The response and its body as sent, still encoded (httpx would decode it)."""
    request = client.build_request("GET", path, headers={"Accept-Encoding": accept_encoding})
    response = await client.send(request, stream=True)
    wire = b"".join([chunk async for chunk in response.aiter_raw()])
    await response.aclose()
    return response, wire


async def test_the_precompressed_file_goes_to_a_client_that_accepts_gzip(
    client: httpx.AsyncClient,
) -> None:
    path = url_path("static", path="vendor/htmx.min.js")
    response, wire = await on_the_wire(client, path, "gzip")
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["vary"] == "Accept-Encoding"
    assert int(response.headers["content-length"]) == len(wire)
    original = (STATIC / "vendor/htmx.min.js").read_bytes()
    assert gzip.decompress(wire) == original and len(wire) < len(original) / 2
    plain = await client.get(path, headers={"Accept-Encoding": "identity"})
    assert plain.headers["etag"] != response.headers["etag"]  # two representations, two tags


async def test_brotli_is_preferred_where_the_client_accepts_it(client: httpx.AsyncClient) -> None:
    path = url_path("static", path="app.css")
    response, wire = await on_the_wire(client, path, "gzip, br")
    assert response.headers["content-encoding"] == "br"
    assert response.headers["cache-control"] == IMMUTABLE
    original = (STATIC / "app.css").read_bytes()
    assert brotli.decompress(wire) == original
    assert len(wire) < len(gzip.compress(original, 9))
    tags = {
        (await client.get(path, headers={"Accept-Encoding": coding})).headers["etag"]
        for coding in ("br", "gzip", "identity")
    }
    assert len(tags) == 3
    again = await client.get(
        path, headers={"Accept-Encoding": "br", "If-None-Match": response.headers["etag"]}
    )
    assert again.status_code == 304 and again.headers["etag"] == response.headers["etag"]


async def test_the_plain_name_still_serves_and_is_revalidated(client: httpx.AsyncClient) -> None:
    response = await client.get("/static/vendor/htmx.min.js")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"
    assert response.content == (STATIC / "vendor/htmx.min.js").read_bytes()
    again = await client.get(
        "/static/vendor/htmx.min.js", headers={"If-None-Match": response.headers["etag"]}
    )
    assert again.status_code == 304
    # A hash this process does not know (a page from a newer process, mid-upgrade): today's
    # file, revalidated, rather than a page without its styles.
    other = await client.get("/static/app.0123456789ab.css")
    assert other.status_code == 200 and other.headers["cache-control"] == "no-cache"
    assert other.content == (STATIC / "app.css").read_bytes()
    assert (await client.get("/static/nothing.js")).status_code == 404
    assert (await client.get("/static/.installed")).status_code == 404
    assert (
        await client.post("/static/app.css", headers={"Origin": str(client.base_url)})
    ).status_code == 405


async def test_pages_link_the_hashed_files_and_the_board_its_sortable(
    db: Database, client: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator)
    await signed_in(client, facilitator)
    page = (await client.get(f"/b/{board.slug}")).text
    for name in ("app.css", "app.js"):
        assert f'"{url_path("static", path=name)}"' in page, name
    # One script for every page: htmx, its websocket extension and board.js, joined.
    assert page.count("<script src=") == 2  # app.js, and the facilitator's SortableJS
    app_js = url_path("static", path="app.js")
    assert page.index("vendor/Sortable.min.") < page.index(app_js)  # it runs first
    joined = await client.get(app_js)
    assert joined.headers["cache-control"] == IMMUTABLE
    parts = [(STATIC / name).read_bytes() for name in BUNDLES["app.js"]]
    assert joined.content == b"\n;\n".join(parts)
    assert [name.rsplit("/", 1)[-1] for name in BUNDLES["app.js"]] == [
        "htmx.min.js",
        "ws.min.js",
        "board.js",
    ]
    # The icon is in the page itself (one request fewer on a first visit): the same SVG.
    icon = re.search(r'<link rel="icon" href="data:image/svg\+xml,([^"]+)"', page)
    assert icon and unquote(html.unescape(icon[1])) == (STATIC / "favicon.svg").read_text().strip()
    sortable = re.search(r'data-sortable="([^"]+)"', page)
    assert sortable and HASHED.match(sortable[1])
    loaded = await client.get(sortable[1])
    assert loaded.status_code == 200
    assert loaded.content == (STATIC / "vendor/Sortable.min.js").read_bytes()


async def test_the_favicon_is_served_at_its_old_address_too(client: httpx.AsyncClient) -> None:
    response = await client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.content == (STATIC / "favicon.svg").read_bytes()
    assert b"<svg" in response.content and len(response.content) < 2048
