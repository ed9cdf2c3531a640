"""The read-path bench's own pieces that do not need wrk or a server (bench/pages.py)."""

from __future__ import annotations

import asyncio

from bench.harness import serving
from bench.pages_data import MAX_QUERIES, QUERIES, card_contents, first_queries
from bench.room import page_assets, read_answer
from bench.wrk import script
from toolbox.board.search import terms
from toolbox.cli import uvicorn_command


def test_the_baseline_runs_under_the_apps_uvicorn_options() -> None:
    command = uvicorn_command("127.0.0.1", 8000, "--log-level", "warning")
    swapped = serving(command, "bench.bare_http:app")
    assert "toolbox.app:create_app" not in swapped and "--factory" not in swapped
    assert swapped[swapped.index("-m") + 2] == "bench.bare_http:app"
    assert [a for a in command if a not in ("--factory", "toolbox.app:create_app")] == [
        a for a in swapped if a != "bench.bare_http:app"
    ]


def test_a_page_needs_its_own_scripts_and_style_sheets_once() -> None:
    html = """<link rel="stylesheet" href="/static/app.css"><link rel="icon" href="/f.ico">
    <script src="/static/vendor/htmx.min.js" defer></script><script>inline()</script>
    <script src="https://cdn.example.org/x.js"></script><script src="/static/app.css"></script>"""
    assert page_assets(html) == ["/static/app.css", "/static/vendor/htmx.min.js"]


async def _answer(raw: bytes) -> tuple[int, bytes]:
    reader = asyncio.StreamReader()
    reader.feed_data(raw)
    reader.feed_eof()
    answer = await read_answer(reader)
    return answer.status, answer.body


async def test_answers_are_read_by_length_or_by_chunks() -> None:
    sized = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
    chunked = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n"
    )
    unchanged = b'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\n\r\n'
    assert await _answer(sized) == (200, b"hello")
    assert await _answer(chunked) == (200, b"hello")
    assert await _answer(unchanged) == (304, b"")


def test_wrk_takes_one_path_on_its_fast_path_and_several_in_turn() -> None:
    one = script(["/b/salle"], {"If-None-Match": '"v1"'})
    assert 'wrk.path = "/b/salle"' in one and "function request()" not in one
    assert 'wrk.headers["If-None-Match"] = "\\"v1\\""' in one
    several = script(["/a?q=m%C3%A9tadonn%C3%A9es", "/b"], {})
    assert "function request()" in several and '"/a?q=m%C3%A9tadonn%C3%A9es", "/b"' in several
    assert "function done(summary, latency, requests)" in several


def test_the_board_is_600_different_cards_that_the_queries_find() -> None:
    cards = card_contents(600, list(range(1, 13)))
    assert len({card.title for card in cards}) == 600
    assert {card.column_id for card in cards} == set(range(1, 13))
    words = {word for card in cards for word in terms(f"{card.title} {card.description}")}
    for query in QUERIES:
        assert set(terms(query)) <= words, query


def test_the_big_boards_queries_are_never_asked_twice() -> None:
    queries = first_queries(MAX_QUERIES)
    assert len(set(queries)) == len(queries) == MAX_QUERIES
    assert queries[: len(QUERIES)] == list(QUERIES)
