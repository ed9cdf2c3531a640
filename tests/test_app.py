"""The app factory: it refuses to start without its front-end files, with a clear message."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolbox.app import MissingAssets, check_assets


def test_missing_front_end_files_stop_the_start_with_a_clear_message(tmp_path: Path) -> None:
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "htmx.min.js").write_text("/* present */")
    with pytest.raises(MissingAssets) as refused:
        check_assets(tmp_path)
    assert "ws.min.js" in str(refused.value) and "make assets" in str(refused.value)
    assert "htmx.min.js" not in str(refused.value).split(":", 1)[1]
