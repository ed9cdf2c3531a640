"""URLs built from the named routes of `toolbox.routes`, with or without a request.

The live hub renders fragments and the mailer writes messages outside any request, so building
a URL cannot need one: `create_app` hands its router to `use_router`, and `url_path` asks it.
The domains import this module, never `toolbox.routes` (which imports every domain's views).
"""

from __future__ import annotations

from typing import Any

from starlette.routing import BaseRoute, Mount, NoMatchFound, Router

#: Each route name, and the top-level route that answers for it. Starlette's router tries every
#: route in turn until one knows the name, which for a 600-card board (several links a card)
#: was a quarter of the page's rendering.
_by_name: dict[str, BaseRoute] = {}


def use_router(router: Router) -> None:
    """Set by `create_app`: every app of a process serves the same table, so the last one wins."""
    names: dict[str, BaseRoute] = {}
    for route in router.routes:
        name = getattr(route, "name", None)
        if name:
            names.setdefault(name, route)
        if isinstance(route, Mount) and route.name:
            for child in route.routes:
                if getattr(child, "name", None):
                    names.setdefault(f"{route.name}:{child.name}", route)  # type: ignore[attr-defined]
    _by_name.clear()
    _by_name.update(names)


def url_path(name: str, /, **params: Any) -> str:
    """The path of the route `name`, e.g. `url_path("card", slug="atelier", id=3)`. A query
    string or an #anchor, where one is needed, is the caller's to append."""
    if not _by_name:
        raise RuntimeError("No router yet: toolbox.app.create_app sets it with use_router.")
    route = _by_name.get(name)
    if route is None:
        raise NoMatchFound(name, params)
    return str(route.url_path_for(name, **params))


def absolute_url(base_url: str, name: str, /, **params: Any) -> str:
    """For links read outside the app (mail, calendars, feeds, QR codes): `base_url` + path."""
    return base_url.rstrip("/") + url_path(name, **params)


#: Stands for the templated parameter while the path is built (ids are 32-bit in the database,
#: so no real one has this many digits).
_PLACEHOLDER = 987_654_321_987


def url_template(name: str, /, placeholder: str, **params: Any) -> str:
    """The path of `name` with `{placeholder}` left for the browser to fill (an RFC 6570 level 1
    template), e.g. `url_template("card_action", "id", slug="atelier", action="move")` gives
    `/b/atelier/cards/{id}/move`: for a script that acts on many items of a page, which reads
    one template instead of a URL per item. The parameter must be an integer one."""
    path = url_path(name, **params, **{placeholder: _PLACEHOLDER})
    return path.replace(str(_PLACEHOLDER), "{" + placeholder + "}")
