"""A real Chromium (Debian's, through Playwright) against a real server with the demo board."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright

from tests.servers import ROOT, LiveServer, sqlite_url

CHROMIUM = os.environ.get("TOOLBOX_TEST_CHROMIUM", "/usr/bin/chromium")
HAVE_CHROMIUM = Path(CHROMIUM).exists()
REQUIRE_ALL = os.environ.get("TOOLBOX_TEST_REQUIRE_ALL") == "1"
# Without these, Chromium keeps trying to reach Google's services, which this network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def demo_server() -> Iterator[LiveServer]:
    with tempfile.TemporaryDirectory(prefix="toolbox-e2e-") as directory:
        url = sqlite_url(directory)
        env = {**os.environ, "TOOLBOX_DATABASE_URL": url, "TOOLBOX_SECRET_KEY": "e2e"}
        for command in (["db", "upgrade"], ["demo"]):
            subprocess.run(
                [sys.executable, "-m", "toolbox.cli", *command],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
            )
        server = LiveServer(url)
        server.start()
        yield server
        server.stop()


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    if not HAVE_CHROMIUM:
        if REQUIRE_ALL:
            pytest.fail(
                f"Chromium is required (TOOLBOX_TEST_REQUIRE_ALL=1) but {CHROMIUM} is missing"
            )
        pytest.skip(f"no Chromium at {CHROMIUM}")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        await launched.close()
