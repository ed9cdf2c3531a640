"""The XSS corpus (tests/security/xss_payloads.py, 300 payloads) stored through every field a
person types, through the app's own doors (the API, the forms, an invitation), and read back
through every way the app shows it: its pages and the live fragments over the websocket in
Chromium, and the feed, JSON-LD, calendar, CSV and EPUB with their own parsers.

The browser runs with the content security policy switched off (`bypass_csp`): the policy is
the second line (tests/security/test_headers.py checks it); this checks the first, escaping, on
its own. In a page no payload may run (no dialog, `window.__xss` unset), none may leave an
element or attribute that runs script, and a field shown as text shows the payload's text.
Payloads are batched: many per card, column or profile, one page load per way of showing."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import subprocess
import tempfile
import uuid
import zipfile
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree

import httpx
import icalendar
import pytest
from playwright.async_api import Browser, BrowserContext, Dialog, Page
from sqlalchemy import select

from tests.factories import bearer, make_member, make_user, origin, signed_in, unique
from tests.security.xss_payloads import PAYLOADS
from tests.servers import LiveServer, wait_until
from tests.transfer.builders import FIXTURES, toolbox
from toolbox.board.models import Board, Role
from toolbox.db import Database

pytestmark = pytest.mark.browser

#: What a page must not hold once loaded: anything that runs script, however it got there.
DANGEROUS = """() => {
  const found = [];
  const urls = ['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'srcdoc'];
  for (const el of document.querySelectorAll('*')) {
    const tag = el.tagName.toUpperCase();
    if (['IFRAME', 'OBJECT', 'EMBED', 'FRAME', 'BASE'].includes(tag)) found.push(tag);
    if (tag === 'SCRIPT' && !el.src && el.type !== 'application/ld+json') found.push('SCRIPT');
    if (tag === 'STYLE') found.push('STYLE');
    for (const attribute of el.attributes) {
      const name = attribute.name.toLowerCase();
      const value = attribute.value.replace(/[\\s\\u0000-\\u001f]/g, '').toLowerCase();
      if (/^(on|hx-on|data-hx-on)/.test(name)) found.push(tag + ' ' + name);
      if (/^(hx-|data-hx-)/.test(name) && /(javascript|js:|alert|__xss)/.test(value)) {
        found.push(tag + ' ' + name);
      }
      if (urls.includes(name) && /^(javascript|vbscript|data:text)/.test(value)) {
        found.push(tag + ' ' + name + '=' + value);
      }
      if (name === 'style') found.push(tag + ' style');
    }
  }
  return found;
}"""


def normalised(text: str) -> str:
    return " ".join(text.split())


@dataclass
class Seeded:
    slug: str
    board_title: str
    column_titles: list[str]
    card_ids: list[int]
    card_titles: list[str]
    places: list[str]
    organisation: str
    booking_id: int
    slot_id: int
    names: list[str]
    facilitator_cookies: dict[str, str] = field(default_factory=dict)
    participant_cookies: dict[str, str] = field(default_factory=dict)
    facilitator_headers: dict[str, str] = field(default_factory=dict)


def chunks(items: Iterable[str], limit: int, separator: str = "\n") -> list[str]:
    """The payloads joined into as few texts as fit `limit` characters each."""
    out: list[str] = []
    for item in items:
        if out and len(out[-1]) + len(separator) + len(item) <= limit:
            out[-1] += separator + item
        else:
            out.append(item)
    return out


def _cookies(client: httpx.AsyncClient) -> dict[str, str]:
    return dict(client.cookies.items())


async def _ok(answer: httpx.Response, status: int = 201) -> Any:
    assert answer.status_code == status, answer.text
    return (
        answer.json()
        if answer.headers.get("content-type", "").startswith("application/json")
        else None
    )


@pytest.fixture(scope="module")
async def seeded(db: Database, server: LiveServer) -> AsyncIterator[Seeded]:
    admin = await make_user(db, admin=True)
    async with httpx.AsyncClient(
        base_url=server.url, timeout=30, headers=await bearer(db, admin)
    ) as api:
        yield await _seed(db, server, api)


async def _seed(db: Database, server: LiveServer, api: httpx.AsyncClient) -> Seeded:
    slug = unique("xss")
    board_title = PAYLOADS[0]
    await _ok(
        await api.post(
            "/api/v1/boards",
            json={
                "slug": slug,
                "title": board_title,
                "description": "\n".join(PAYLOADS)[:20_000],
                "visibility": "public",
            },
        )
    )
    async with db.read() as session:
        board = (await session.scalars(select(Board).where(Board.slug == slug))).one()
    names = PAYLOADS[1:4]
    facilitator = await make_member(db, board, Role.facilitator, name=names[0])
    expert = await make_member(db, board, Role.expert, name=names[1])
    participant = await make_member(db, board, Role.participant, name=names[2])
    as_facilitator = {"Authorization": (await bearer(db, facilitator))["Authorization"]}
    as_expert = await bearer(db, expert)
    as_participant = await bearer(db, participant)

    # Columns: a title each, the corpus in their descriptions.
    descriptions = chunks(PAYLOADS, 20_000)
    column_titles = PAYLOADS[4:12]
    columns = []
    for index, title in enumerate(column_titles):
        column = await _ok(
            await api.post(
                f"/api/v1/boards/{slug}/columns",
                json={"title": title, "description": descriptions[index % len(descriptions)]},
                headers=as_facilitator,
            )
        )
        columns.append(column["id"])

    # Cards: one per payload, as title, description, label, audience, source and licence; as
    # the link too, where the API takes it (only http and https addresses).
    card_ids: list[int] = []
    card_titles: list[str] = []
    refused_links = 0
    for index, payload in enumerate(PAYLOADS):
        card = {
            "column_id": columns[index % len(columns)],
            "title": payload,
            "description": payload,
            "labels": [payload] if index < 120 else [],
            "audiences": [payload[:80]],
            "source": payload,
            "licence": payload[:120],
            "url": payload,
        }
        answer = await api.post(f"/api/v1/boards/{slug}/cards", json=card, headers=as_facilitator)
        if answer.status_code == 422:
            assert answer.json()["error"]["field"] == "url", answer.text
            refused_links += 1
            card["url"] = "https://example.org/?q=" + quote(payload, safe="")
            answer = await api.post(
                f"/api/v1/boards/{slug}/cards", json=card, headers=as_facilitator
            )
        created = await _ok(answer)
        assert created["url"] is None or created["url"].startswith(("http://", "https://"))
        card_ids.append(created["id"])
        card_titles.append(created["title"])
    assert refused_links > 100  # javascript:, data:, markup: not addresses

    # Suggestions from a participant, with the corpus as their reasons.
    for title, why in zip(PAYLOADS[12:32], chunks(PAYLOADS, 2000) * 3, strict=False):
        await _ok(
            await api.post(
                f"/api/v1/boards/{slug}/suggestions",
                json={"title": title, "why": why},
                headers=as_participant,
            )
        )

    # The brigade: slots at payload places, an expert's profile, a booking.
    places = PAYLOADS[32:40]
    starts = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0, second=0, minute=0)
    slot_ids = []
    for index, place in enumerate(places):
        begin = starts + timedelta(hours=index)
        slot = await _ok(
            await api.post(
                f"/api/v1/boards/{slug}/slots",
                json={
                    "starts_at": begin.isoformat(),
                    "ends_at": (begin + timedelta(minutes=45)).isoformat(),
                    "place": place,
                    "capacity": 2,
                },
                headers=as_facilitator,
            )
        )
        slot_ids.append(slot["slots"][0]["id"])
    await _ok(
        await api.put(
            f"/api/v1/boards/{slug}/experts/me",
            json={"bio": chunks(PAYLOADS, 1000)[0], "specialities": PAYLOADS[40:70:1][:30]},
            headers=as_expert,
        ),
        200,
    )
    await _ok(await api.post(f"/api/v1/slots/{slot_ids[0]}/claim", json={}, headers=as_expert), 200)
    organisation = PAYLOADS[70]
    booking = await _ok(
        await api.post(
            f"/api/v1/slots/{slot_ids[0]}/bookings",
            json={"need": chunks(PAYLOADS, 2000)[0], "organisation": organisation},
            headers=as_participant,
        )
    )

    # An invitation taken by someone whose name is a payload, through the real form.
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as browser_like:
        await signed_in(browser_like, facilitator)
        invited = await browser_like.post(
            f"/b/{slug}/invitations", data={"role": "participant"}, headers=origin(browser_like)
        )
        assert invited.status_code == 200
        link = re.search(r"(/invite/[A-Za-z0-9_\-]+)", invited.text)
        assert link is not None, "no invitation link on the page"
        facilitator_cookies = _cookies(browser_like)
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as newcomer:
        accepted = await newcomer.post(
            link.group(1),
            data={
                "email": f"{unique('invited')}@example.org",
                "name": PAYLOADS[71],
                "password": "a long enough password",
            },
            headers=origin(newcomer),
        )
        assert accepted.status_code == 303, accepted.text
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as theirs:
        await signed_in(theirs, participant)
        participant_cookies = _cookies(theirs)
    return Seeded(
        slug=slug,
        board_title=board_title,
        column_titles=column_titles,
        card_ids=card_ids,
        card_titles=card_titles,
        places=places,
        organisation=organisation,
        booking_id=booking["id"],
        slot_id=slot_ids[0],
        names=[*names, PAYLOADS[71]],
        facilitator_cookies=facilitator_cookies,
        participant_cookies=participant_cookies,
        facilitator_headers=as_facilitator,
    )


class Watched:
    """A page whose dialogs are counted (and dismissed)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.dialogs: list[str] = []
        page.on("dialog", self._dialog)

    async def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        await dialog.dismiss()

    async def nothing_ran(self, where: str) -> None:
        await self.page.wait_for_timeout(300)  # broken images fire their errors
        assert self.dialogs == [], where
        assert await self.page.evaluate("window.__xss") is None, where
        assert await self.page.evaluate(DANGEROUS) == [], where

    async def shows(self, texts: Iterable[str], where: str) -> None:
        body = normalised(await self.page.evaluate("document.body.textContent"))
        missing = [text for text in texts if normalised(text) not in body]
        assert missing == [], where


async def _context(browser: Browser, server: LiveServer, cookies: dict[str, str]) -> BrowserContext:
    context = await browser.new_context(locale="fr-CA", bypass_csp=True)
    await context.add_cookies(
        [{"name": name, "value": value, "url": server.url} for name, value in cookies.items()]
    )
    return context


async def test_no_payload_runs_in_any_page(
    browser: Browser, server: LiveServer, seeded: Seeded
) -> None:
    context = await _context(browser, server, seeded.facilitator_cookies)
    watched = Watched(await context.new_page())
    page = watched.page
    slug = seeded.slug
    pages: list[tuple[str, list[str]]] = [
        ("/", [seeded.board_title]),
        (f"/b/{slug}", [seeded.board_title, *seeded.column_titles]),
        (f"/b/{slug}?q=script", []),
        (f"/b/{slug}?q=" + quote(PAYLOADS[10], safe=""), []),
        (f"/b/{slug}/cards/{seeded.card_ids[0]}", [seeded.card_titles[0]]),
        (f"/b/{slug}/cards/{seeded.card_ids[-1]}", [seeded.card_titles[-1]]),
        (f"/b/{slug}/cards/{seeded.card_ids[5]}/edit", []),
        (f"/b/{slug}/manage", [seeded.names[0], seeded.names[-1]]),
        (f"/b/{slug}/brigade", [seeded.names[1]]),
        (f"/b/{slug}/brigade/slots/{seeded.slot_id}", [seeded.organisation, seeded.places[0]]),
        (f"/b/{slug}/brigade/schedule", []),
        (f"/b/{slug}/brigade/report", [*seeded.places[:1], seeded.organisation]),
        (f"/b/{slug}/room", [seeded.board_title]),
        (f"/b/{slug}/print", seeded.card_titles[:50]),
        ("/me", []),
    ]
    for path, texts in pages:
        answer = await page.goto(f"{server.url}{path}")
        assert answer is not None and answer.status == 200, path
        await watched.nothing_ran(path)
        await watched.shows(texts, path)
    # The board itself: every card's title is its payload's text, character for character.
    await page.goto(f"{server.url}/b/{slug}")
    titles = await page.locator(".card-title").all_text_contents()
    assert sorted(normalised(title) for title in titles) == sorted(
        normalised(title) for title in seeded.card_titles
    )
    # Search highlights the words found inside the escaped title, and nothing else.
    await page.goto(f"{server.url}/b/{slug}?q=script")
    highlighted = await page.locator(".card-title").all_text_contents()
    assert highlighted and all(
        normalised(t) in map(normalised, seeded.card_titles) for t in highlighted
    )
    await context.close()

    context = await _context(browser, server, seeded.participant_cookies)
    watched = Watched(await context.new_page())
    for path, texts in [
        (f"/b/{slug}", [seeded.board_title]),
        (f"/b/{slug}/brigade", [seeded.names[1]]),
        (f"/b/{slug}/brigade/slots/{seeded.slot_id}", [seeded.organisation]),
        ("/me", []),
    ]:
        answer = await watched.page.goto(f"{server.url}{path}")
        assert answer is not None and answer.status == 200, path
        await watched.nothing_ran(path)
        await watched.shows(texts, path)
    await context.close()


async def test_no_payload_runs_in_a_live_fragment(
    browser: Browser, server: LiveServer, seeded: Seeded
) -> None:
    context = await _context(browser, server, seeded.facilitator_cookies)
    watched = Watched(await context.new_page())
    page = watched.page
    await context.add_init_script(
        "document.addEventListener('htmx:wsOpen', () => { window.__live = true; });"
    )
    await page.goto(f"{server.url}/b/{seeded.slug}")
    await page.wait_for_function("window.__live === true", timeout=10_000)
    room = Watched(await context.new_page())
    await room.page.goto(f"{server.url}/b/{seeded.slug}/room")
    await room.page.wait_for_function("window.__live === true", timeout=10_000)
    live = PAYLOADS[100:115]
    async with httpx.AsyncClient(base_url=server.url, headers=seeded.facilitator_headers) as api:
        board = (await api.get(f"/api/v1/boards/{seeded.slug}")).json()
        column = board["columns"][0]["id"]
        made = []
        for payload in live:
            answer = await api.post(
                f"/api/v1/boards/{seeded.slug}/cards",
                json={"column_id": column, "title": payload, "description": payload},
            )
            assert answer.status_code == 201, answer.text
            made.append(answer.json())
        edited = await api.patch(
            f"/api/v1/cards/{made[0]['id']}",
            json={"version": made[0]["version"], "title": PAYLOADS[150]},
        )
        assert edited.status_code == 200, edited.text
    last = made[-1]["id"]
    # Each change re-renders its column (a long description of payloads): give them time.
    await page.wait_for_selector(f"#card-{last}", state="attached", timeout=30_000)
    await page.wait_for_function(
        "t => [...document.querySelectorAll('.card-title')].some(a => a.textContent.trim() === t)",
        arg=PAYLOADS[150].strip(),
        timeout=30_000,
    )
    await watched.nothing_ran("board, live")
    await watched.shows([card["title"] for card in made], "board, live")
    await room.nothing_ran("room, live")
    await context.close()


async def _get(server: LiveServer, path: str, cookies: dict[str, str]) -> httpx.Response:
    async with httpx.AsyncClient(base_url=server.url, cookies=cookies, timeout=30) as http:
        answer = await http.get(path)
    assert answer.status_code == 200, (path, answer.text[:300])
    return answer


def _dangerous(tag: str, attributes: Iterable[tuple[str, str | None]]) -> list[str]:
    """What `DANGEROUS` finds in one element, for the documents parsed outside a browser."""
    tag = _local(tag)
    found = []
    if tag in {"script", "iframe", "object", "embed", "style", "base"}:
        values = dict(attributes)
        if not (tag == "script" and values.get("type") == "application/ld+json"):
            found.append(tag)
        attributes = values.items()
    for name, value in attributes:
        local = _local(name)
        if local.startswith(("on", "hx-on", "data-hx-on")) or local == "style":
            found.append(f"{tag} {local}")
        cleaned = re.sub(r"[\s\x00-\x1f]", "", value or "").lower()
        if local in {"href", "src", "action"} and cleaned.startswith(
            ("javascript:", "vbscript:", "data:text")
        ):
            found.append(f"{tag} {local}")
    return found


def _local(name: str) -> str:
    return name.rpartition("}")[2].lower()


def _dangerous_in(tree: ElementTree.Element) -> list[str]:
    return [found for element in tree.iter() for found in _dangerous(element.tag, element.items())]


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += _dangerous(tag, attrs)


def _dangerous_in_markup(text: str) -> list[str]:
    parser = _Markup()
    parser.feed(text)
    parser.close()
    return parser.found


async def test_the_feed_carries_the_payloads_as_text(server: LiveServer, seeded: Seeded) -> None:
    answer = await _get(server, f"/b/{seeded.slug}/feed.atom", {})
    tree = ElementTree.fromstring(answer.content)  # noqa: S314 - the app's own feed
    atom = "{http://www.w3.org/2005/Atom}"
    titles = []
    for entry in tree.iter(f"{atom}entry"):
        title = entry.find(f"{atom}title")
        assert title is not None
        assert title.get("type", "text") == "text"
        titles.append(title.text or "")
        for content in [*entry.iter(f"{atom}content"), *entry.iter(f"{atom}summary")]:
            kind = content.get("type", "text")
            if kind == "html":
                assert _dangerous_in_markup(content.text or "") == []
            elif kind == "xhtml":
                assert _dangerous_in(content) == []
    assert titles
    assert set(map(normalised, titles)) <= set(map(normalised, seeded.card_titles))


async def test_json_ld_round_trips_the_title(server: LiveServer, seeded: Seeded) -> None:
    for card_id, title in list(zip(seeded.card_ids, seeded.card_titles, strict=True))[::25]:
        page = (await _get(server, f"/b/{seeded.slug}/cards/{card_id}", {})).text
        blocks = re.findall(
            r'<script type="application/ld\+json">(.*?)</script>', page, flags=re.DOTALL
        )
        assert len(blocks) == 1
        assert "<" not in blocks[0]  # no tag can close the block early
        assert json.loads(blocks[0])["name"] == title


async def test_the_calendar_file_round_trips_the_place(server: LiveServer, seeded: Seeded) -> None:
    answer = await _get(server, f"/bookings/{seeded.booking_id}.ics", seeded.participant_cookies)
    calendar = icalendar.Calendar.from_ical(answer.content)
    events = [part for part in calendar.walk() if part.name == "VEVENT"]
    assert len(events) == 1
    assert str(events[0]["LOCATION"]) == seeded.places[0]
    # A line break in a place cannot start a property of its own.
    assert len([line for line in answer.text.splitlines() if line.startswith("DESCRIPTION")]) <= 1


async def test_the_calendar_feed_round_trips_the_place(server: LiveServer, seeded: Seeded) -> None:
    """The participant's private calendar feed (the link on /me), read as a calendar app would."""
    me = await _get(server, "/me", seeded.participant_cookies)
    link = re.search(r'<code class="calendar-link">([^<]+)</code>', me.text)
    assert link, "no calendar link on /me"
    feed_path = "/" + link[1].strip().split("/", 3)[3]
    answer = await _get(server, feed_path, {})
    calendar = icalendar.Calendar.from_ical(answer.content)
    places = [str(part["LOCATION"]) for part in calendar.walk() if part.name == "VEVENT"]
    assert seeded.places[0] in places
    for line in answer.text.splitlines():  # every line a property or its folded continuation
        assert line[:1] in (" ", "\t") or re.match(r"^[A-Z-]+[;:]", line), line


async def test_no_payload_runs_in_a_live_brigade_fragment(
    browser: Browser, server: LiveServer, seeded: Seeded
) -> None:
    """Slots made and moved to payload places while the schedule is open: the cells that
    arrive over the socket run nothing, and carry the place whole as text (the columns' heads
    of a new schedule; a cell's `data-place`, which a phone draws above it, and its link's
    name)."""
    context = await _context(browser, server, seeded.facilitator_cookies)
    await context.add_init_script(
        "document.addEventListener('htmx:wsOpen', () => { window.__live = true; });"
    )
    watched = Watched(await context.new_page())
    await watched.page.goto(f"{server.url}/b/{seeded.slug}/brigade")
    await watched.page.wait_for_function("window.__live === true", timeout=10_000)
    created, moved = PAYLOADS[200], PAYLOADS[201]
    starts = (datetime.now(UTC) + timedelta(days=4)).replace(microsecond=0, second=0, minute=0)
    async with httpx.AsyncClient(base_url=server.url, headers=seeded.facilitator_headers) as api:
        slot = await _ok(
            await api.post(
                f"/api/v1/boards/{seeded.slug}/slots",
                json={
                    "starts_at": starts.isoformat(),
                    "ends_at": (starts + timedelta(minutes=45)).isoformat(),
                    "place": created,
                },
            )
        )
        slot_id = slot["slots"][0]["id"]
        await watched.page.wait_for_function(
            "t => document.body.textContent.includes(t)", arg=created.strip(), timeout=15_000
        )
        await _ok(await api.patch(f"/api/v1/slots/{slot_id}", json={"place": moved}), 200)
    cell = f"#slot-{slot_id}"
    await watched.page.wait_for_function(
        "([cell, t]) => document.querySelector(cell).dataset.place.startsWith(t + ' · ')",
        arg=[cell, moved],
        timeout=15_000,
    )
    await watched.nothing_ran("brigade, live")
    link = watched.page.locator(f"{cell} a.slot-link")
    assert moved in (await link.get_attribute("aria-label") or ""), "brigade, live"
    await context.close()


async def test_the_csv_export_round_trips_the_titles(server: LiveServer, seeded: Seeded) -> None:
    answer = await _get(server, f"/b/{seeded.slug}/export.csv", seeded.facilitator_cookies)
    rows = list(csv.DictReader(io.StringIO(answer.text.lstrip("\ufeff"))))
    title_key = next(key for key in rows[0] if key.lower() in {"title", "titre"})
    exported = [row[title_key] for row in rows]
    for title in seeded.card_titles:
        # A cell a spreadsheet would read as a formula is kept as text by a leading quote.
        assert title in exported or "'" + title in exported, title


async def test_the_pocket_epub_holds_the_payloads_as_text(
    server: LiveServer, seeded: Seeded
) -> None:
    answer = await _get(server, f"/b/{seeded.slug}/pocket.epub", seeded.facilitator_cookies)
    texts = []
    with zipfile.ZipFile(io.BytesIO(answer.content)) as book:
        pages = [name for name in book.namelist() if name.endswith((".xhtml", ".html"))]
        assert pages
        for name in pages:
            # Well-formed XHTML, or this raises.
            tree = ElementTree.fromstring(book.read(name))  # noqa: S314 - the app's own book
            assert _dangerous_in(tree) == [], name
            texts.append(normalised("".join(tree.itertext())))
    whole = " ".join(texts)
    missing = [t for t in seeded.card_titles if normalised(t) not in whole]
    assert missing == []


def _trello_export(payloads: list[str]) -> bytes:
    """A real Trello export (shared/fixtures) whose board, lists, labels and cards are named
    with payloads."""
    document: dict[str, Any] = json.loads((FIXTURES / "wekan-project100.json").read_text())
    # A board of its own (an export is imported once per database; the transfer tests import
    # the same fixture into the same test database).
    document["id"] = uuid.uuid4().hex[:24]
    document["name"] = payloads[0]
    document["desc"] = "\n".join(payloads)
    for index, column in enumerate(document["lists"]):
        column["name"] = payloads[index + 1]
    for index, label in enumerate(document["labels"]):
        label["name"] = payloads[index + 10][:80]
    model = document["cards"][0]
    label_ids = [label["id"] for label in document["labels"]]
    cards = []
    for index, payload in enumerate(payloads):
        card = json.loads(json.dumps(model))
        card.update(
            id=f"{index + 1:024x}",
            name=payload,
            desc=payload,
            closed=False,
            idList=document["lists"][index % len(document["lists"])]["id"],
            idLabels=label_ids[:1],
            labels=document["labels"][:1],
            attachments=[],
            idChecklists=[],
        )
        cards.append(card)
    document["cards"] = cards
    document["checklists"] = []
    return json.dumps(document).encode()


def _import_csv(text: str, slug: str, database_url: str) -> subprocess.CompletedProcess[str]:
    """`toolbox import csv` as a person runs it, on a file holding `text`."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "import.csv"
        path.write_text(text, encoding="utf-8")
        return toolbox("import", "csv", str(path), "--board", slug, database_url=database_url)


async def test_imported_fields_run_nowhere(
    db: Database, browser: Browser, server: LiveServer, seeded: Seeded
) -> None:
    """A Trello export through the upload form and a CSV file through the command line, every
    name in them a payload: the boards they make show the payloads as text."""
    trello_payloads = PAYLOADS[180:240]
    async with httpx.AsyncClient(base_url=server.url, cookies=seeded.facilitator_cookies) as http:
        uploaded = await http.post(
            f"/b/{seeded.slug}/import",
            files={"file": ("export.json", _trello_export(trello_payloads), "application/json")},
            data={"target": "new"},
            headers=origin(http),
        )
        assert uploaded.status_code == 303, uploaded.text
        job = uploaded.headers["location"]
        page = ""

        async def done() -> bool:
            nonlocal page
            page = (await http.get(job, headers={"HX-Request": "true"})).text
            return "hx-trigger" not in page

        await wait_until(done, within=60, interval=0.2)
        link = re.search(r'<a href="/b/([a-z0-9-]+)" id="imported-board"', page)
        assert link is not None, page
        imported = link.group(1)
    csv_payloads = PAYLOADS[240:300]
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["column", "title", "url", "description", "kind", "languages", "labels"])
    for index, payload in enumerate(csv_payloads):
        writer.writerow([csv_payloads[index % 5][:200], payload, "", payload, "", "", payload[:80]])
    result = await asyncio.to_thread(_import_csv, text.getvalue(), seeded.slug, server.database_url)
    assert result.returncode == 0, result.stderr

    context = await _context(browser, server, seeded.facilitator_cookies)
    watched = Watched(await context.new_page())
    for path, titles in [(f"/b/{imported}", trello_payloads), (f"/b/{seeded.slug}", csv_payloads)]:
        answer = await watched.page.goto(f"{server.url}{path}")
        assert answer is not None and answer.status == 200, path
        await watched.nothing_ran(path)
        shown = {
            normalised(t) for t in await watched.page.locator(".card-title").all_text_contents()
        }
        assert {normalised(title) for title in titles} <= shown, path
    await watched.page.goto(f"{server.url}{job}")
    await watched.nothing_ran(job)
    await context.close()
