"""URLs from the named routes, outside any request (the hub, the mailer) and as templates for
the board's script (drag-and-drop fills in the moved item's id)."""

from __future__ import annotations

import pytest
from starlette.routing import NoMatchFound

from toolbox.urls import absolute_url, url_path, url_template


def test_a_path_is_built_from_the_route_name() -> None:
    assert url_path("card", slug="atelier", id=3) == "/b/atelier/cards/3"
    assert absolute_url("https://coffre.example/", "board", slug="atelier") == (
        "https://coffre.example/b/atelier"
    )


def test_a_template_leaves_its_placeholder_for_the_browser() -> None:
    template = url_template("card_action", "id", slug="atelier", action="move")
    assert template == "/b/atelier/cards/{id}/move"
    # Filled as static/board.js fills it, it is the path of that card's route.
    assert template.replace("{id}", "42") == url_path(
        "card_action", slug="atelier", id=42, action="move"
    )
    assert url_template("column_action", "id", slug="atelier", action="move") == (
        "/b/atelier/columns/{id}/move"
    )


def test_an_unknown_route_or_parameter_is_an_error_not_a_wrong_link() -> None:
    with pytest.raises(NoMatchFound):
        url_path("no_such_route")
    with pytest.raises(NoMatchFound):
        url_template("card_action", "card", slug="atelier", action="move")
