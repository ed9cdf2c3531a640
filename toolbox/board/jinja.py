"""The board's filters for the templates, registered by the app at start-up (`toolbox.app`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from toolbox.board.markdown import render_markdown
from toolbox.board.models import Kind
from toolbox.i18n import gettext as _


def kind_name(kind: Kind | str) -> str:
    """The kind of a resource, in the reader's language (the names live on `Kind`)."""
    return Kind(kind).label


def colour_name(colour: str) -> str:
    """A label's colour from the palette (`schemas.LABEL_COLOURS`), in the reader's language."""
    names = {
        "grey": _("Grey"),
        "green": _("Green"),
        "lime": _("Lime"),
        "yellow": _("Yellow"),
        "orange": _("Orange"),
        "red": _("Red"),
        "pink": _("Pink"),
        "purple": _("Purple"),
        "blue": _("Blue"),
        "sky": _("Sky blue"),
    }
    return names.get(colour, colour)


FILTERS: dict[str, Callable[..., Any]] = {
    "markdown": render_markdown,
    "kind_name": kind_name,
    "colour_name": colour_name,
}
