"""Jinja2, set up once: autoescape, translations through `toolbox.i18n`, and a few filters.

Templates are dumb: they format what the view gives them and never query. The filters that
belong to a domain (the board's `markdown`, `kind_name`) are registered by the app at start-up
(`register_filters`), so that this module, which `toolbox.live` uses, imports no domain.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse

from toolbox import i18n
from toolbox.renderings import PERSONAL, SharedPage, parts_collected
from toolbox.urls import url_path, url_template

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"
STATIC_DIR = TEMPLATE_DIR.parent / "static"


def role_name(role: str) -> str:
    _ = i18n.gettext
    names = {
        "participant": _("Participant"),
        "expert": _("Expert"),
        "facilitator": _("Facilitator"),
    }
    return names.get(str(role), str(role))


def language_name(code: str) -> str:
    return _language_name(code, i18n.current_locale())


@functools.lru_cache(maxsize=512)
def _language_name(code: str, locale: str) -> str:
    # Babel parses both locales on every call: a few codes, asked for on every card.
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(code.replace("-", "_")).get_display_name(locale) or code
    except (UnknownLocaleError, ValueError):
        return code


def json_script(value: Any) -> Markup:
    """JSON safe to put inside a <script> element (no "</script>" can close it early)."""
    text = json.dumps(value, ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # noqa: S704 - every markup-significant character is escaped above


def favicon_data_uri() -> str:
    """The icon written into every page (a `data:` URL, allowed by the CSP's img-src): a first
    visit makes one request fewer for a few hundred bytes that compress with the page."""
    svg = (STATIC_DIR / "favicon.svg").read_text(encoding="utf-8").strip()
    return "data:image/svg+xml," + quote(svg, safe="/:=")


def install_translations(env: Environment) -> None:
    """`_()` and `ngettext()` in templates, in the language of the request (or of the mail's
    recipient) being rendered, not the one of the first render."""
    env.install_gettext_callables(  # type: ignore[attr-defined]
        lambda message: i18n.gettext(message),
        lambda singular, plural, n: i18n.translations(i18n.current_locale()).ngettext(
            singular, plural, n
        ),
        newstyle=True,
    )


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html", "xml"], default=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates change with a release, not while it runs: no stat() of the file at every
        # include (once per card).
        auto_reload=False,
    )
    install_translations(env)
    env.filters.update(
        datetime=i18n.format_datetime,
        date=i18n.format_date,
        time=i18n.format_time,
        ago=i18n.format_ago,
        zone=i18n.format_zone,
        role_name=role_name,
        language_name=language_name,
        json_script=json_script,
    )
    env.globals.update(
        current_locale=i18n.current_locale,
        # A route's path by its name (toolbox.routes), with or without a request.
        url_for=url_path,
        url_template=url_template,
        locale_names=i18n.LOCALE_NAMES,
        # Partials render as out-of-band swaps only when a live update says so.
        oob=False,
        # A page rendered for a whole audience holds the place of the account menu.
        shared=False,
        personal_marker=Markup(PERSONAL),  # noqa: S704 - a constant comment
        presence=None,
        favicon=favicon_data_uri(),
    )
    return env


environment = _environment()


def register_filters(**filters: Callable[..., Any]) -> None:
    """Add a domain's filters; done once at start-up, before any template is compiled (Jinja
    resolves a filter's name when it compiles the template)."""
    environment.filters.update(filters)


def render_fragment(name: str, **context: Any) -> str:
    return environment.get_template(name).render(**context)


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    page_context = {
        "request": request,
        "user": getattr(request.state, "user", None),
        "lang": i18n.current_locale().replace("_", "-"),
        **context,
    }
    html = environment.get_template(name).render(**page_context)
    return HTMLResponse(html, status_code=status, headers=address_bar(request))


def address_bar(request: Request) -> dict[str, str]:
    """What the address bar should say after a boosted form: htmx follows the 303 but keeps the
    form's page's address (a reload would show the wrong page), unless told the page's own."""
    if request.method != "GET" or "HX-Boosted" not in request.headers:
        return {}
    query = request.scope["query_string"].decode("latin-1")
    return {"HX-Push-Url": request.scope["path"] + (f"?{query}" if query else "")}


def render_shared(name: str, context: dict[str, Any]) -> SharedPage:
    """A page for everyone of one audience (toolbox.renderings): nobody signed in, the account
    menu left to `render_personal`."""
    page_context = {
        "request": None,
        "user": None,
        "shared": True,
        "lang": i18n.current_locale().replace("_", "-"),
        **context,
    }
    with parts_collected() as parts:
        html = environment.get_template(name).render(**page_context)
    return SharedPage.assemble(html, parts)


def render_personal(request: Request) -> str:
    """The personal part of a shared page: the account menu of whoever is asking."""
    user = getattr(request.state, "user", None)
    path: str = request.scope["path"]
    if user is None:
        return _visitor_menu(i18n.current_locale(), path)
    return environment.get_template("_account.html").render(request=request, user=user, path=path)


@functools.lru_cache(maxsize=512)
def _visitor_menu(_locale: str, path: str) -> str:
    """The account menu of someone not signed in: the same for every visitor of a page, in a
    language (the locale is the key; the translations are the current one's)."""
    return environment.get_template("_account.html").render(request=None, user=None, path=path)
