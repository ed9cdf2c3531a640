"""Translations: fr_CA first, English complete.

Message ids are English; `toolbox/locale/fr_CA/LC_MESSAGES/messages.po` holds the French. The
catalogs are read from the .po files at start-up (compiled in memory), so no binary .mo file is
committed or forgotten. The current locale lives in a context variable set per request (and per
audience when the live hub renders), which is what `gettext` reads.
"""

from __future__ import annotations

import gettext as stdlib_gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from functools import cache
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.dates import format_time as babel_format_time
from babel.dates import format_timedelta, get_timezone_gmt, get_timezone_name
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES = ("fr_CA", "en")
LOCALE_NAMES = {"fr_CA": "Français", "en": "English"}
LOCALE_DIR = Path(__file__).parent / "locale"

_current_locale: ContextVar[str] = ContextVar("toolbox_locale", default="fr_CA")


@cache
def translations(locale: str) -> stdlib_gettext.NullTranslations:
    po_file = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po_file.exists():
        return stdlib_gettext.NullTranslations()
    with po_file.open("rb") as po:
        catalog = read_po(po, locale=locale)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def current_locale() -> str:
    return _current_locale.get()


def set_locale(locale: str) -> None:
    _current_locale.set(locale if locale in LOCALES else LOCALES[0])


@contextmanager
def use_locale(locale: str) -> Iterator[None]:
    token = _current_locale.set(locale if locale in LOCALES else LOCALES[0])
    try:
        yield
    finally:
        _current_locale.reset(token)


def gettext(message: str, **params: object) -> str:
    text = translations(current_locale()).gettext(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, n: int, **params: object) -> str:
    text = translations(current_locale()).ngettext(singular, plural, n)
    return text % {"num": n, **params}


_ = gettext


def negotiate(accept_language: str | None, default: str) -> str:
    """The best of our locales for an Accept-Language header, else the default."""
    if not accept_language:
        return default
    wanted: list[tuple[float, str]] = []
    for index, part in enumerate(accept_language.split(",")):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            wanted.append((-quality + index * 1e-6, tag.replace("-", "_")))
    for _rank, tag in sorted(wanted):
        if tag == "*":
            return default
        try:
            language = Locale.parse(tag).language
        except (UnknownLocaleError, ValueError):
            continue
        if language == "fr":
            return "fr_CA"
        if language == "en":
            return "en"
    return default


def babel_locale() -> str:
    return current_locale()


def format_datetime(value: datetime, tz: str, fmt: str = "medium") -> str:
    return babel_format_datetime(value, fmt, tzinfo=ZoneInfo(tz), locale=babel_locale())


def format_date(value: date | datetime, fmt: str = "long", tz: str | None = None) -> str:
    if isinstance(value, datetime) and tz:
        value = value.astimezone(ZoneInfo(tz))
    return babel_format_date(value, fmt, locale=babel_locale())


def format_ago(value: datetime, now: datetime | None = None) -> str:
    """How long ago, in words ("il y a 5 minutes"); the exact moment goes beside it."""
    elapsed = (now or datetime.now(UTC)) - value
    return format_timedelta(
        -elapsed, add_direction=True, threshold=1, format="long", locale=babel_locale()
    )


def format_zone(tz: str) -> str:
    """A time zone as people say it, with its offset now: "heure de l’Est (UTC−05:00)"."""
    zone = ZoneInfo(tz)
    name = get_timezone_name(zone, "long", zone_variant="generic", locale=babel_locale())
    offset = get_timezone_gmt(datetime.now(zone), "long", locale=babel_locale())
    return f"{name} ({offset})"


def format_time(value: datetime, tz: str) -> str:
    return babel_format_time(value, "short", tzinfo=ZoneInfo(tz), locale=babel_locale())
