"""A shared page assembled from its own text and kept parts (a board's columns): the bytes a
reader gets are the page as rendered whole, and its tag changes with any part."""

from __future__ import annotations

import hashlib

import pytest

from toolbox.renderings import PART, PERSONAL, Part, SharedPage, parts_collected, place_part


def page(parts: list[str]) -> SharedPage:
    with parts_collected() as collected:
        html = (
            f"<header>{PERSONAL}</header><main>"
            + "".join(place_part(Part.of(text)) for text in parts)
            + "</main>"
        )
    return SharedPage.assemble(html, collected)


def test_the_parts_land_in_their_places_in_the_bytes_sent() -> None:
    body, _tag = page(["<ol>« Glossaire »</ol>", "<ol>Autodiagnostic</ol>"]).compose("<a>Moi</a>")
    expected = (
        "<header><a>Moi</a></header><main><ol>« Glossaire »</ol><ol>Autodiagnostic</ol></main>"
    )
    assert body == expected.encode()


def test_the_tag_follows_every_part_and_only_the_content() -> None:
    first = page(["<ol>A</ol>", "<ol>B</ol>"])
    assert page(["<ol>A</ol>", "<ol>B</ol>"]).etag == first.etag
    assert page(["<ol>A</ol>", "<ol>C</ol>"]).etag != first.etag
    assert page(["<ol>B</ol>", "<ol>A</ol>"]).etag != first.etag  # the order counts
    assert page(["<ol>A</ol><ol>B</ol>"]).etag != first.etag  # and where the parts begin
    assert first.etag.startswith('"') and len(first.etag) == 34


def test_outside_a_shared_page_a_part_is_its_html() -> None:
    part = Part.of("<ol>Guide</ol>")
    assert place_part(part) == "<ol>Guide</ol>"
    assert part.digest == hashlib.blake2b(b"<ol>Guide</ol>", digest_size=16).digest()
    with parts_collected():
        assert place_part(part) == PART


def test_a_page_without_its_personal_place_is_refused() -> None:
    with pytest.raises(ValueError, match="PERSONAL"):
        SharedPage.assemble("<main></main>", [])
