"""URLs built from the named routes of `toolbox.routes`, with or without a request.

The live hub renders fragments and the mailer writes messages outside any request, so building
a URL cannot need one: `create_app` hands its router to `use_router`, and `url_path` asks it.
The domains import this module, never `toolbox.routes` (which imports every domain's views).
"""

from __future__ import annotations

from typing import Any

from starlette.routing import Router

_router: Router | None = None


def use_router(router: Router) -> None:
    """Set by `create_app`: every app of a process serves the same table, so the last one wins."""
    global _router
    _router = router


def url_path(name: str, /, **params: Any) -> str:
    """The path of the route `name`, e.g. `url_path("card", slug="atelier", id=3)`. A query
    string or an #anchor, where one is needed, is the caller's to append."""
    if _router is None:
        raise RuntimeError("No router yet: toolbox.app.create_app sets it with use_router.")
    return str(_router.url_path_for(name, **params))


def absolute_url(base_url: str, name: str, /, **params: Any) -> str:
    """For links read outside the app (mail, calendars, feeds, QR codes): `base_url` + path."""
    return base_url.rstrip("/") + url_path(name, **params)
