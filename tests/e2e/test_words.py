"""Every page a person reads, rendered in fr-CA and in English for each kind of person on the
demo board: no English message id left on a French page, no raw code on either (an event type,
a status word, a time zone's id). Plain HTTP against the demo server the browser tests share."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from babel.messages.pofile import read_po

from tests.servers import ROOT, LiveServer
from toolbox.demo import EXPERT_PASSWORD, FACILITATOR, PARTICIPANT, TABLES, DemoAccount

BOARD = "/b/accelerateur-numerique"
EXPERT = DemoAccount(TABLES["Table 1"], EXPERT_PASSWORD, "", None)
# Who reads which pages (a slot page by the id of the first session in the schedule).
PAGES: dict[str, tuple[DemoAccount | None, tuple[str, ...]]] = {
    "visitor": (
        None,
        (
            "/",
            "/login",
            BOARD,
            f"{BOARD}?q=donnees",
            f"{BOARD}/cards/1",
            f"{BOARD}/brigade",
            "SLOT",
        ),
    ),
    "participant": (PARTICIPANT, (f"{BOARD}/brigade", "SLOT", "/me")),
    "expert": (EXPERT, (f"{BOARD}/brigade", "SLOT", "/me")),
    "facilitator": (
        FACILITATOR,
        (
            BOARD,
            f"{BOARD}/cards/1",
            f"{BOARD}/cards/1/edit",
            f"{BOARD}/cards/new",
            f"{BOARD}/columns/1/edit",
            f"{BOARD}/columns/new",
            f"{BOARD}/manage",
            f"{BOARD}/manage?kind=slot",
            f"{BOARD}/brigade",
            "SLOT",
            f"{BOARD}/brigade/schedule",
            f"{BOARD}/brigade/report",
            "/me",
        ),
    ),
}
# Codes that must never reach a reader as they are.
RAW = [
    re.compile(r"\b(board|card|column|label|member|slot|suggestion)\.[a-z_]+\b"),
    re.compile(r"\b(America|Europe|Africa|Asia|Pacific)/[A-Z][A-Za-z_]+\b"),
    re.compile(
        r"^(open|full|claimed|held|missed|waiting|cancelled|active|facilitator|tool|"
        r"template|glossary|training|other)$"
    ),
]


class Words(HTMLParser):
    """What a person reads (or hears) on a page: text, and the labels of what has none."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style", "code"}:
            self.skipping += 1
        for name, value in attrs:
            if (
                name
                in {
                    "aria-label",
                    "title",
                    "placeholder",
                    "alt",
                    "data-confirm",
                    "data-confirm-lower",
                }
                and value
            ):
                self.texts.append(value.strip())

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "code"}:
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self.skipping and data.strip():
            self.texts.append(" ".join(data.split()))


def words(html: str) -> list[str]:
    parser = Words()
    parser.feed(html)
    return parser.texts


def english_phrases() -> list[str]:
    """The fixed parts of every message whose French differs, long enough to be told apart
    from a resource's own English title."""
    path = ROOT / "toolbox/locale/fr_CA/LC_MESSAGES/messages.po"
    with Path(path).open("rb") as handle:
        catalog = read_po(handle)
    phrases = set()
    for message in catalog:
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        for text in ids:
            if not text or text in strings:
                continue
            for part in re.split(r"%\(\w+\)[sd]", text):
                part = part.strip(" .,:;!?()«»“”—-")
                if len(part) >= 14 and " " in part:
                    phrases.add(part)
    return sorted(phrases)


async def signed_in(client: httpx.AsyncClient, account: DemoAccount) -> None:
    response = await client.post(
        "/login",
        data={"email": account.email, "password": account.password, "next": "/"},
        headers={"Origin": str(client.base_url).rstrip("/")},
    )
    assert response.status_code == 303, response.text


@pytest.mark.parametrize("language", ["fr-CA", "en"])
@pytest.mark.parametrize("who", list(PAGES))
async def test_every_page_speaks_the_readers_language(
    demo_server: LiveServer, who: str, language: str
) -> None:
    account, paths = PAGES[who]
    phrases = english_phrases() if language == "fr-CA" else []
    found: list[str] = []
    async with httpx.AsyncClient(
        base_url=demo_server.url, headers={"Accept-Language": language}
    ) as client:
        if account:
            await signed_in(client, account)
        brigade = (await client.get(f"{BOARD}/brigade")).text
        first_slot = re.search(r'id="slot-(\d+)"', brigade)
        assert first_slot, "the demo brigade has sessions"
        for path in paths:
            if path == "SLOT":
                path = f"{BOARD}/brigade/slots/{first_slot.group(1)}"
            response = await client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            texts = words(response.text)
            for text in texts:
                found += [f"{path}: raw code in {text!r}" for raw in RAW if raw.search(text)]
            page = "\n".join(texts)
            found += [f"{path}: untranslated {phrase!r}" for phrase in phrases if phrase in page]
    assert found == []
