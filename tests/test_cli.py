"""The `toolbox` command line, run as a person runs it: a real process on a real database."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.servers import LiveServer, free_port, sqlite_url
from toolbox.cli import stop_server

ROOT = Path(__file__).resolve().parent.parent


def toolbox(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "toolbox.cli", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_accounts_boards_members_and_demo(tmp_path: Path) -> None:
    env = {"TOOLBOX_DATABASE_URL": sqlite_url(str(tmp_path)), "TOOLBOX_SECRET_KEY": "cli-test"}
    assert toolbox("db", "upgrade", env=env).returncode == 0
    added = toolbox(
        "user", "add", "Anim@Example.org", "--name", "Anim", "--password", "secret-pass", env=env
    )
    assert added.returncode == 0, added.stderr
    again = toolbox("user", "add", "anim@example.org", "--password", "secret-pass", env=env)
    assert again.returncode != 0 and "existe déjà" in again.stderr
    board = toolbox(
        "board",
        "add",
        "atelier",
        "Atelier",
        "--facilitator",
        "anim@example.org",
        "--public",
        env=env,
    )
    assert board.returncode == 0, board.stderr
    opened = toolbox("board", "add", "ouvert", "Ouvert", "--public", "--open", env=env)
    assert opened.returncode == 0, opened.stderr
    bad = toolbox("board", "add", "Pas Bon!", "Titre", env=env)
    assert bad.returncode != 0 and "minuscules" in bad.stderr
    assert (
        toolbox("user", "add", "p@example.org", "--password", "secret-pass", env=env).returncode
        == 0
    )
    member = toolbox("member", "add", "atelier", "p@example.org", "--role", "expert", env=env)
    assert member.returncode == 0, member.stderr
    token = toolbox("user", "token", "anim@example.org", env=env)
    assert token.returncode == 0 and len(token.stdout.strip()) > 30
    demo = toolbox("demo", env=env)
    assert demo.returncode == 0 and "animation@example.org" in demo.stdout
    assert "already" in toolbox("demo", env=env).stdout

    server = LiveServer(env["TOOLBOX_DATABASE_URL"])
    server.start()
    try:
        auth = {"Authorization": f"Bearer {token.stdout.strip()}"}
        boards = httpx.get(f"{server.url}/api/v1/boards", headers=auth).json()["boards"]
        assert {"atelier", "accelerateur-numerique"} <= {b["slug"] for b in boards}
        demo_board = httpx.get(f"{server.url}/api/v1/boards/accelerateur-numerique").json()
        assert len(demo_board["columns"]) >= 8
        cards = [card for column in demo_board["columns"] for card in column["cards"]]
        assert len(cards) >= 30
        assert {card["kind"] for card in cards} >= {"tool", "guide", "template", "glossary"}
        card = httpx.post(
            f"{server.url}/api/v1/boards/atelier/cards",
            json={"column_id": demo_board["columns"][0]["id"], "title": "x"},
            headers=auth,
        )
        assert card.status_code == 404  # a column of another board
        # Registration: open where asked (and on the demo board), by invitation otherwise.
        for slug, status in (("ouvert", 200), ("accelerateur-numerique", 200), ("atelier", 403)):
            assert httpx.get(f"{server.url}/register/{slug}").status_code == status, slug
        # Someone added by the command line has a confirmed address: they may suggest.
        suggested = httpx.post(
            f"{server.url}/api/v1/boards/atelier/suggestions",
            json={"title": "Un guide"},
            headers=auth,
        )
        assert suggested.status_code == 201, suggested.text
    finally:
        server.stop()


def test_serve_refuses_production_without_a_secret(tmp_path: Path) -> None:
    env = {
        "TOOLBOX_DATABASE_URL": sqlite_url(str(tmp_path)),
        "TOOLBOX_ENV": "production",
        "TOOLBOX_SECRET_KEY": "",
    }
    result = toolbox("serve", "--port", "1", env=env)
    assert result.returncode != 0 and "TOOLBOX_SECRET_KEY is required" in result.stderr


def test_serve_links_to_its_own_address_without_a_base_url(tmp_path: Path) -> None:
    """TOOLBOX_BASE_URL unset: the absolute links (here the calendar link on /me, and the feed it
    opens) point where `toolbox serve` listens, on a port that is not 8000."""
    env = {"TOOLBOX_DATABASE_URL": sqlite_url(str(tmp_path)), "TOOLBOX_SECRET_KEY": "cli-test"}
    assert toolbox("db", "upgrade", env=env).returncode == 0
    added = toolbox("user", "add", "cal@example.org", "--password", "secret-pass", env=env)
    assert added.returncode == 0, added.stderr
    port = free_port()
    environ = {key: value for key, value in os.environ.items() if key != "TOOLBOX_BASE_URL"}
    process = subprocess.Popen(
        [sys.executable, "-m", "toolbox.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env={**environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=url) as client:
            wait_for(client)
            signed = client.post(
                "/login",
                data={"email": "cal@example.org", "password": "secret-pass", "next": "/me"},
                headers={"Origin": url},
            )
            assert signed.status_code == 303, signed.text
            page = client.get("/me").text
            links = re.findall(r'https?://[^"<\s]+/calendar/[^"<\s]+\.ics', page)
            assert links and all(link.startswith(f"{url}/calendar/") for link in links), links
            feed = client.get(links[0].removeprefix(url))
            assert feed.status_code == 200 and "BEGIN:VCALENDAR" in feed.text
            assert "127.0.0.1:8000" not in page
    finally:
        stop_server(process)


def wait_for(client: httpx.Client) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            client.get("/healthz", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise AssertionError("`toolbox serve` did not answer in 20 s")


def test_serve_refuses_several_workers_that_would_not_share(tmp_path: Path) -> None:
    """SQLite or the memory bus with --workers 2: each worker would see half the live updates.
    Refused with a sentence that says what to set, before anything starts."""
    base = {"TOOLBOX_SECRET_KEY": "cli-test", "TOOLBOX_BROADCAST_URL": "memory://"}
    on_sqlite = {**base, "TOOLBOX_DATABASE_URL": sqlite_url(str(tmp_path))}
    refused = toolbox("serve", "--port", str(free_port()), "--workers", "2", env=on_sqlite)
    assert refused.returncode != 0
    assert "--workers 2" in refused.stderr
    assert "TOOLBOX_DATABASE_URL=postgresql" in refused.stderr
    assert "TOOLBOX_BROADCAST_URL=redis://" in refused.stderr
    shared_database = {**base, "TOOLBOX_DATABASE_URL": "postgresql+asyncpg://db.invalid/toolbox"}
    still = toolbox("serve", "--port", str(free_port()), "--workers", "3", env=shared_database)
    assert still.returncode != 0 and "TOOLBOX_BROADCAST_URL=redis://" in still.stderr
    assert "TOOLBOX_DATABASE_URL" not in still.stderr
