"""Every page a person reads, looked at in a laptop's and a phone's window: nothing wider than a
390 px screen (the board's own column scroller excepted), and a screenshot of each, written to
the git-ignored `screenshots/` (or TOOLBOX_TEST_SCREENSHOTS) for a person to look at."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.async_api import Browser

from tests.e2e.sessions import signed_in_page
from tests.servers import ROOT, LiveServer
from toolbox.demo import FACILITATOR, PARTICIPANT, DemoAccount

pytestmark = pytest.mark.browser
BOARD = "/b/accelerateur-numerique"
SHOTS = Path(os.environ.get("TOOLBOX_TEST_SCREENSHOTS", ROOT / "screenshots"))
SIZES = {"laptop": (1366, 768), "phone": (390, 844)}
#: Who looks at which pages.
PAGES: dict[str, tuple[DemoAccount | None, tuple[str, ...]]] = {
    "visitor": (
        None,
        ("/", "/login", BOARD, f"{BOARD}/cards/1", f"{BOARD}/brigade", f"{BOARD}/brigade/slots/1"),
    ),
    "participant": (PARTICIPANT, (f"{BOARD}/brigade", f"{BOARD}/brigade/slots/1", "/me")),
    "facilitator": (
        FACILITATOR,
        (
            BOARD,
            f"{BOARD}/cards/1",
            f"{BOARD}/columns/1/edit",
            f"{BOARD}/manage",
            f"{BOARD}/brigade",
            f"{BOARD}/brigade/slots/1",
            f"{BOARD}/brigade/schedule",
            f"{BOARD}/brigade/report",
            "/me",
        ),
    ),
}

# How far the page reaches to the right, leaving out what scrolls inside its own box.
WIDEST = """() => {
  let widest = document.documentElement.scrollWidth;
  const outside = [...document.querySelectorAll("body *")].filter((element) => {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.right <= window.innerWidth + 1) return false;
    for (let up = element.parentElement; up; up = up.parentElement) {
      const style = getComputedStyle(up);
      if (["auto", "scroll", "hidden"].includes(style.overflowX)) return false;
    }
    return true;
  });
  return {widest, outside: outside.slice(0, 5).map((e) => e.outerHTML.slice(0, 120))};
}"""


@pytest.fixture(scope="module")
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


@pytest.mark.parametrize("who", list(PAGES))
async def test_pages_fit_a_phone_and_are_screenshotted(
    browser: Browser, demo_server: LiveServer, shots: Path, who: str
) -> None:
    account, paths = PAGES[who]
    too_wide: list[str] = []
    for size, (width, height) in SIZES.items():
        if account is None:
            context = await browser.new_context(locale="fr-CA")
            page = await context.new_page()
        else:
            context, page = await signed_in_page(browser, demo_server, account)
        await page.set_viewport_size({"width": width, "height": height})
        for path in paths:
            await page.goto(demo_server.url + path)
            await page.wait_for_load_state("networkidle")
            name = f"{who}-{path.strip('/').replace('/', '_') or 'home'}-{size}.png"
            await page.screenshot(path=shots / name, full_page=True)
            if size == "phone":
                found = await page.evaluate(WIDEST)
                if found["widest"] > width or found["outside"]:
                    too_wide.append(f"{path}: {found}")
        await context.close()
    assert too_wide == []
