"""The board's filters for the templates, registered by the app at start-up (`toolbox.app`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from toolbox.board.highlight import highlight, snippet
from toolbox.board.markdown import render_markdown
from toolbox.board.models import Kind


def kind_name(kind: Kind | str) -> str:
    """The kind of a resource, in the reader's language (the names live on `Kind`)."""
    return Kind(kind).label


FILTERS: dict[str, Callable[..., Any]] = {
    "markdown": render_markdown,
    "kind_name": kind_name,
    "highlight": highlight,
    "snippet": snippet,
}
