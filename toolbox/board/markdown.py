"""Card descriptions: Markdown in, safe HTML out.

markdown-it-py renders with raw HTML turned off; nh3 then keeps only a short list of tags and
http(s)/mailto links, so neither a `<script>` nor a `javascript:` link survives either step.
"""

from __future__ import annotations

import html
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "del",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
    ["table", "strikethrough"]
)


@lru_cache(maxsize=2048)
def render_markdown(text: str) -> Markup:
    html = _markdown.render(text or "")
    # Headings h1/h2 belong to the page; a description's "# Title" becomes a paragraph-level one.
    html = html.replace("<h1>", "<h3>").replace("</h1>", "</h3>")
    html = html.replace("<h2>", "<h4>").replace("</h2>", "</h4>")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(cleaned)  # noqa: S704 - cleaned by nh3 just above


def plain_text(text: str, limit: int = 300) -> str:
    """A description as one line of text, at most `limit` characters (for summaries that other
    programs show: search engines' snippets, link previews, feed readers)."""
    words = html.unescape(nh3.clean(str(render_markdown(text)), tags=set())).split()
    line = " ".join(words)
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
