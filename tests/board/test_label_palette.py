"""Every colour a label can take keeps its text readable: WCAG contrast of 4.5:1 at least
between the label's text and its background, as `static/app.css` paints them."""

from __future__ import annotations

import re

from tests.servers import ROOT
from toolbox.board.schemas import LABEL_PALETTE

CSS = (ROOT / "static" / "app.css").read_text()


def luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_every_label_colour_keeps_its_text_readable() -> None:
    text = re.search(r"\.label \{[^}]*color: (#[0-9a-f]{6})", CSS)
    assert text is not None
    for name in LABEL_PALETTE:
        background = re.search(rf"\.label-{name} \{{ background: (#[0-9a-f]{{6}}); \}}", CSS)
        assert background is not None, f".label-{name} has no background in app.css"
        assert contrast(text.group(1), background.group(1)) >= 4.5, name
