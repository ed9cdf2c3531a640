"""The board's filters for the templates, registered by the app at start-up (`toolbox.app`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from toolbox import i18n
from toolbox.board.markdown import render_markdown
from toolbox.board.models import Kind


def kind_name(kind: Kind | str) -> str:
    """The kind of a resource, in the reader's language."""
    _ = i18n.gettext
    names = {
        "tool": _("Tool"),
        "guide": _("Guide"),
        "template": _("Template"),
        "glossary": _("Glossary"),
        "article": _("Article"),
        "video": _("Video"),
        "training": _("Training"),
        "organisation": _("Organisation"),
        "event": _("Event"),
        "other": _("Other"),
    }
    return names[Kind(kind).value]


FILTERS: dict[str, Callable[..., Any]] = {"markdown": render_markdown, "kind_name": kind_name}
