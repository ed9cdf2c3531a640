"""What other programs read of a board: a card permalink's Open Graph tags and JSON-LD, read
back by a real JSON-LD processor (pyld), with absolute links from TOOLBOX_BASE_URL."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any

import httpx
from pyld import jsonld

from tests.board.conftest import BASE_URL
from tests.factories import make_board, make_card, make_column, make_user
from toolbox.board.models import Kind
from toolbox.db import Database

SCHEMA = "http://schema.org/"
#: The core of schema.org's own context (https://schema.org/docs/jsonldcontext.jsonld): its
#: vocabulary. The tests run offline, so the processor gets it from here instead of the network.
SCHEMA_CONTEXT = {"@context": {"@vocab": SCHEMA}}


def offline_loader(url: str, options: dict[str, Any]) -> dict[str, Any]:
    assert url.rstrip("/") in {"https://schema.org", "http://schema.org"}, url
    return {"contextUrl": None, "documentUrl": url, "document": SCHEMA_CONTEXT}


class HeadReader(HTMLParser):
    """The `<meta property>` tags and the JSON-LD scripts of a page, as a crawler reads them."""

    def __init__(self) -> None:
        super().__init__()
        self.properties: dict[str, str] = {}
        self.links: dict[str, str] = {}
        self.scripts: list[str] = []
        self._in_json_ld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "meta" and attributes.get("property"):
            self.properties[attributes["property"] or ""] = attributes.get("content") or ""
        if tag == "link" and attributes.get("rel"):
            self.links[attributes["rel"] or ""] = attributes.get("href") or ""
        if tag == "script":
            self._in_json_ld = attributes.get("type") == "application/ld+json"
            if self._in_json_ld:
                self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_json_ld = False

    def handle_data(self, data: str) -> None:
        if self._in_json_ld:
            self.scripts[-1] += data


def read_head(html: str) -> HeadReader:
    reader = HeadReader()
    reader.feed(html)
    return reader


def values(node: dict[str, Any], name: str) -> list[Any]:
    return [item.get("@value", item.get("@id", item)) for item in node.get(SCHEMA + name, [])]


async def test_a_card_page_tells_link_previews_and_search_engines_what_it_is(
    db: Database, reader: httpx.AsyncClient
) -> None:
    facilitator = await make_user(db)
    board = await make_board(db, facilitator=facilitator, title="Accélérateur </script> numérique")
    column = await make_column(db, board, facilitator, "Données")
    card = await make_card(
        db,
        board,
        column,
        facilitator,
        title='Guide </script><script>alert("titre")</script>',
        url="https://example.org/guide",
        description="**Métadonnées** pour la <découvrabilité> </script><img src=x onerror=alert(1)>",
        kind=Kind.guide,
        languages=["fr", "en"],
        labels=["Données", "</script>"],
        audiences=["musées"],
        source="Conseil des arts </SCRIPT >",
        licence="CC BY 4.0",
    )
    answer = await reader.get(f"/b/{board.slug}/cards/{card.id}", headers={"Accept-Language": "en"})
    assert answer.status_code == 200
    head = read_head(answer.text)
    permalink = f"{BASE_URL}/b/{board.slug}/cards/{card.id}"

    assert head.properties["og:type"] == "article"
    assert head.properties["og:title"] == 'Guide </script><script>alert("titre")</script>'
    assert head.properties["og:url"] == permalink
    assert head.properties["og:locale"] == "en"
    assert head.properties["og:description"].startswith("Métadonnées pour la <découvrabilité>")
    assert head.links["canonical"] == permalink

    # One script, whole: no "</script>" in any field closed it early, none started another.
    assert len(head.scripts) == 1
    assert answer.text.lower().count("<script") == answer.text.lower().count("<script src") + 1
    document = json.loads(head.scripts[0])
    (node,) = jsonld.expand(document, {"documentLoader": offline_loader})
    assert node["@id"] == permalink
    assert node["@type"] == [SCHEMA + "LearningResource"]
    assert values(node, "name") == ['Guide </script><script>alert("titre")</script>']
    assert values(node, "url") == ["https://example.org/guide"]
    assert values(node, "description")[0].startswith("Métadonnées pour la <découvrabilité>")
    assert sorted(values(node, "inLanguage")) == ["en", "fr"]
    assert sorted(values(node, "keywords")) == ["</script>", "Données", "musées"]
    assert values(node, "learningResourceType") == ["guide"]
    assert values(node, "license") == ["CC BY 4.0"]
    (author,) = node[SCHEMA + "author"]
    assert values(author, "name") == ["Conseil des arts </SCRIPT >"]
    (board_node,) = node[SCHEMA + "isPartOf"]
    assert board_node["@id"] == f"{BASE_URL}/b/{board.slug}"
    assert values(board_node, "name") == ["Accélérateur </script> numérique"]
